#!/usr/bin/env bash
set -euo pipefail

BUILD_DIR=$(mktemp -d)
trap 'rm -rf "${BUILD_DIR}"' EXIT

docker rm -f gizmo-extract >/dev/null 2>&1 || true
docker build -t gizmo-build -f Dockerfile.build .
docker create --name gizmo-extract gizmo-build
docker cp gizmo-extract:/src/gizmo "${BUILD_DIR}/gizmo"
docker rm gizmo-extract

cp Dockerfile "${BUILD_DIR}/"
docker build -t gizmo:latest "${BUILD_DIR}"
