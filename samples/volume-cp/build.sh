#!/usr/bin/env bash
# Two-image build: compile in the Go image, copy the binary out through a bind
# mount, then package it in a plain Alpine image.
set -euo pipefail

IMAGE=${IMAGE:-acme/tool}
TAG="${TAG:-dev}"

docker build -t "$IMAGE-builder" .

mkdir -p dist
docker run --rm -v "$PWD/dist":/out "$IMAGE-builder" cp /build/tool /out/

docker build -f Dockerfile.run -t "$IMAGE:$TAG" .
rm -rf dist

echo "built $IMAGE:$TAG"
