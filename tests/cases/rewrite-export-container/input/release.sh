#!/usr/bin/env bash
# Cross-compile the CLI for release with the stock Go image; binaries land in ./bin.
set -euo pipefail

VERSION=${VERSION:-dev}
mkdir -p bin
docker run --rm -v "$PWD/bin":/out -v "$PWD":/src -w /src -e CGO_ENABLED=0 golang:1.21 \
    go build -ldflags "-X main.version=${VERSION}" -o /out/clip ./cmd/clip
echo "built bin/clip"
