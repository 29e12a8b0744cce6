#!/bin/bash
# Usage: build-release.sh IMAGE
set -e

IMAGE=${1:?image name}
BUILDER=${IMAGE}-builder

docker build -t "$BUILDER" -f build-tools/Dockerfile.builder .
docker run --rm "$BUILDER" cat /go/bin/k8s-ctlr > _out/k8s-ctlr
chmod 755 _out/k8s-ctlr

docker build -t "$IMAGE" -f build-tools/Dockerfile.runtime .
