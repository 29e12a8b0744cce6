#!/bin/bash
# Builds the api image: compiles in the Go toolchain image, then copies the binary into a slim one.
set -euo pipefail
cd "$(dirname "$0")"

REGISTRY=${REGISTRY:-registry.example.com/shop}
TAG=${TAG:-dev}

docker build -t "$REGISTRY/api:$TAG" .
