#!/bin/sh
set -e
docker build -t relay-build -f Dockerfile.build .
docker create --name relay-extract relay-build
docker cp relay-extract:/src/relay ./relay
docker rm relay-extract
docker build -t example/relay:latest .
