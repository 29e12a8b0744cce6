#!/bin/bash
# Builds the worker image from a release build made in the Rust toolchain image.
set -euo pipefail
cd "$(dirname "$0")"

REGISTRY=${REGISTRY:-registry.example.com/shop}
TAG=${TAG:-dev}

docker build -t "$REGISTRY/worker:$TAG" .
