#!/bin/sh
# The builder needs no context: its Dockerfile goes in on stdin.
set -e
docker build -t app-build - < Dockerfile.build
docker create --name app-extract app-build
docker cp app-extract:/app ./app
docker rm app-extract
docker build -t app .
