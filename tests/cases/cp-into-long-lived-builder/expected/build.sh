#!/bin/sh
set -e
docker run -d --name box golang:1.21 sleep 600
docker build -t example/cpin .
