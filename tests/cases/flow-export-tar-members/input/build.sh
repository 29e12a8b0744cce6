#!/usr/bin/env bash
# Builds the agent in the toolchain image and ships only what it installed.
set -euo pipefail

docker build -t agent-build -f Dockerfile.build .

cid=$(docker create agent-build)
mkdir -p rootfs
docker export "$cid" | tar -x -C rootfs opt/agent usr/local/bin/agentctl
docker rm "$cid"

docker build -t example/agent:latest .
rm -rf rootfs
