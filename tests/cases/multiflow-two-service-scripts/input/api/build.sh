#!/bin/bash
# Builds the api image: compiles in the Go toolchain image, then copies the binary into a slim one.
set -euo pipefail
cd "$(dirname "$0")"

REGISTRY=${REGISTRY:-registry.example.com/shop}
TAG=${TAG:-dev}

docker build -t shop-api-build -f Dockerfile.build .
docker create --name shop-api-extract shop-api-build
docker cp shop-api-extract:/out/api ./api
docker rm shop-api-extract
docker build -t "$REGISTRY/api:$TAG" .
rm ./api
