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
$DOCKER build --build-arg GOARCH=$ARCH -t "$BUILD_IMAGE" -f Dockerfile.build ..
popd > /dev/null

rm -rf dist && mkdir -p dist
$DOCKER create --name metrics-extract "$BUILD_IMAGE"
for tool in $TOOLS; do
  $DOCKER cp "metrics-extract:/out/${tool}" "dist/${tool}"
  echo "extracted ${tool}"
done
$DOCKER rm metrics-extract

$DOCKER build -t "example/metrics:${TAG}-${ARCH}" -f docker/Dockerfile .
