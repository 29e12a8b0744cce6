#!/bin/sh
set -e
docker build -t example/cpin .
