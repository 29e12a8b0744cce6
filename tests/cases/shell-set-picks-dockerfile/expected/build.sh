#!/bin/sh
# Usage: TARGET_OS=<alpine|debian> ./build.sh
# Builds the exporter for the chosen base, then the runtime image.
set -e

IMAGE="${IMAGE:-acme/exporter}"
BUILDER_DOCKERFILE="build/Dockerfile.${TARGET_OS}"

docker build -t "${IMAGE}:latest" .
