#!/bin/bash
# Builds the worker image from a release build made in the Rust toolchain image.
set -euo pipefail
cd "$(dirname "$0")"

REGISTRY=${REGISTRY:-registry.example.com/shop}
TAG=${TAG:-dev}

docker build -t shop-worker-build -f Dockerfile.rust .
docker run --rm shop-worker-build cat /usr/src/worker/target/release/worker > worker
chmod +x worker
docker build -t "$REGISTRY/worker:$TAG" .
rm worker
