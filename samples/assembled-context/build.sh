#!/bin/bash
set -euo pipefail
docker build -t svc-build -f build/Dockerfile.build .
cid=$(docker create svc-build)
mkdir -p bin
docker cp "$cid":/go/bin/svc bin/svc
docker rm "$cid"

ctx=$(mktemp -d)
cp build/Dockerfile.run "$ctx/Dockerfile"
cp bin/svc "$ctx"/
cp -r config "$ctx"/
docker build -t example/svc:1.0 "$ctx"
rm -rf "$ctx" bin
