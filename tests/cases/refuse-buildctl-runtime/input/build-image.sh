#!/bin/bash
# Release build: compile the bundle with docker, then build and push the
# multi-arch serving image with BuildKit's client (BUILDKIT_HOST is set by CI).
set -euo pipefail

cd web
docker build -t web-build -f Dockerfile.build .
docker create --name web-extract web-build
docker cp web-extract:/app/dist ./dist
docker rm -f web-extract

for arch in amd64 arm64; do
    buildctl build --frontend dockerfile.v0 \
        --local dockerfile=. --local context=. \
        --opt filename=./Dockerfile.serve --opt platform=linux/$arch \
        --output type=image,name=docker.io/example/web:latest-$arch,push=true
done
