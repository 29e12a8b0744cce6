#!/usr/bin/env bash
# Cross-compile the CLI for release with the stock Go image; binaries land in ./bin.
set -euo pipefail

VERSION=${VERSION:-dev}
DOCKER_BUILDKIT=1 docker build --target export --output type=local,dest=. -f Dockerfile .
echo "built bin/clip"
