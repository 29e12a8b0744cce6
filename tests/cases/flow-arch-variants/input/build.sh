#!/usr/bin/env bash
# Usage: ./build.sh [ARCH]   (amd64, arm64 or ppc64le)
set -euo pipefail

ARCH=${1:-amd64}
REGISTRY=quay.io/example/node-agent

mkdir -p dist
docker run --rm -e GOARCH="${ARCH}" \
  -v "$PWD":/go/src/example.com/node-agent \
  -w /go/src/example.com/node-agent \
  golang:1.21 \
  sh -c "go build -o dist/node-agent ./cmd/node-agent && mv dist/node-agent dist/node-agent-${ARCH}"

docker build -f "Dockerfile.${ARCH}" -t "${REGISTRY}:latest-${ARCH}" .
if [ "${ARCH}" = amd64 ]; then
  # amd64 is also the unsuffixed default image
  docker build -f "Dockerfile.${ARCH}" -t "${REGISTRY}:latest" .
fi
