#!/usr/bin/env bash
# Compile the indexer in the Go image and leave the binary in the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "building the indexer binary"
docker build --build-arg GOFLAGS=-trimpath -t indexer-build -f Dockerfile.build .
id=$(docker create indexer-build)
docker cp "$id":/go/bin/indexer ./indexer
docker rm "$id"
