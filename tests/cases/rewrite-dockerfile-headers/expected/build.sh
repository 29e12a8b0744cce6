#!/bin/sh
set -e
docker build -t example/relay:latest .
