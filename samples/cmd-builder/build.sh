#!/bin/sh
set -e
docker build -t app-toolchain -f Dockerfile.build .
docker run --name app-build app-toolchain
docker cp app-build:/go/bin/app ./app
docker rm app-build
docker build -t example/cmd-builder:latest .
rm -f app
