#!/bin/sh
set -e

docker build -t tool-build -f Dockerfile.build .
docker run --rm tool-build sh -c 'test -x /opt/tool/bin/tool && /opt/tool/bin/tool'

cid=$(docker create tool-build)
mkdir -p rootfs
docker export "$cid" | tar -x -C rootfs opt/tool
docker rm "$cid"

docker build -t tool:latest .
rm -rf rootfs
