#!/bin/sh
# Build release binaries inside the toolchain image and copy them to dist/.
set -e

docker build -t mytool-build -f build/Dockerfile .
docker create --name mytool-extract mytool-build
mkdir -p dist
docker cp mytool-extract:/src/mytool dist/mytool
docker rm mytool-extract
