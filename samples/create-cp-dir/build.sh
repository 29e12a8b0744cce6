#!/bin/sh
set -e

docker build -f Dockerfile.builder -t app-builder .

CID=$(docker create app-builder)
docker cp "$CID":/go/src/app/bin ./bin
docker rm "$CID"

docker build -t example/app:latest .
rm -rf bin
