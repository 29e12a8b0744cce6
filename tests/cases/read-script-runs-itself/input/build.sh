#!/bin/sh
# Build the image; re-run for every architecture.
set -e

docker build -t example/tool-build -f Dockerfile.build .
docker create --name tool-extract example/tool-build
docker cp tool-extract:/out/tool ./tool
docker rm tool-extract
docker build -t example/tool .

./build.sh
