#!/usr/bin/env bash
# Usage: ./build.sh [ARCH]   (amd64, arm64 or ppc64le)
set -euo pipefail

ARCH=${1:-amd64}
REGISTRY=quay.io/example/node-agent

docker build -f "Dockerfile.${ARCH}" -t "${REGISTRY}:latest-${ARCH}" .
if [ "${ARCH}" = amd64 ]; then
  # amd64 is also the unsuffixed default image
  docker build -f "Dockerfile.${ARCH}" -t "${REGISTRY}:latest" .
fi
