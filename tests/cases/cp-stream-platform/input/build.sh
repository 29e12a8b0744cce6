#!/bin/sh
set -e
docker build --platform linux/amd64 --network host -t tools-build -f Dockerfile.build .
id=$(docker create tools-build)
docker cp "$id":/out/bin - | tar -x -C .
docker rm "$id"
docker build -t example/tools:1 .
rm -rf bin
