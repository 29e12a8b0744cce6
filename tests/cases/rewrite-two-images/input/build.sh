#!/bin/sh
# One compile, two images: the slim release image and a debug image with a shell.
set -e

docker build -t gateway-build -f Dockerfile.build .
docker create --name gateway-extract gateway-build
docker cp gateway-extract:/go/bin/gateway ./gateway
docker rm gateway-extract

docker build -t example/gateway:latest -f Dockerfile .
docker build -t example/gateway:debug -f Dockerfile.debug .
rm -f ./gateway
