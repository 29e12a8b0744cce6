#!/bin/sh
# One compile, two images: the slim release image and a debug image with a shell.
set -e

docker build -t example/gateway:latest -f Dockerfile .
docker build -t example/gateway:debug -f Dockerfile.debug .
