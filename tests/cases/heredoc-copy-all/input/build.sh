#!/bin/sh
set -e
docker build -t app-build -f Dockerfile.build .
docker create --name tmp app-build
docker cp tmp:/src/app app
docker rm tmp
docker build -t app .
rm -f app
