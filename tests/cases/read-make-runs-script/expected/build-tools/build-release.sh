#!/bin/bash
# Usage: build-release.sh IMAGE
set -e

IMAGE=${1:?image name}
BUILDER=${IMAGE}-builder

docker build -t "$IMAGE" -f build-tools/Dockerfile.runtime .
