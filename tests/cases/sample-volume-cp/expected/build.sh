#!/usr/bin/env bash
# Two-image build: compile in the Go image, copy the binary out through a bind
# mount, then package it in a plain Alpine image.
set -euo pipefail

IMAGE=${IMAGE:-acme/tool}
TAG="${TAG:-dev}"

docker build -f Dockerfile.run -t "$IMAGE:$TAG" .

echo "built $IMAGE:$TAG"
