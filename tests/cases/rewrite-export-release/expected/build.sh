#!/bin/sh
# Build release binaries inside the toolchain image and copy them to dist/.
set -e

mkdir -p dist && DOCKER_BUILDKIT=1 docker build --target export --output type=local,dest=dist -f build/Dockerfile .
