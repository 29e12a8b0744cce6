#!/usr/bin/env bash
set -euo pipefail
# A long-lived toolchain container: start it once, run the build steps in it.
docker run -d --name toolbox -v "$(pwd)":/work -w /work golang:1.21 sleep 600
trap 'docker rm -f toolbox >/dev/null' EXIT
docker exec toolbox go mod download
docker exec -e CGO_ENABLED=0 toolbox go build -o /tmp/out/server ./cmd/server
docker exec toolbox sh -c 'mkdir -p /tmp/out/etc && cp config/server.yml /tmp/out/etc/'
mkdir -p out
docker cp toolbox:/tmp/out/. out/
docker build -t example/server:dev -f deploy/Dockerfile .
