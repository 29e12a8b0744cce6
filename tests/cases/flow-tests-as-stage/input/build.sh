#!/usr/bin/env bash
set -euo pipefail

VERSION=${1:-dev}

docker build -t api-build -f Dockerfile.build .
# Run the unit tests in the toolchain image before we ship anything.
docker run --rm -w /src api-build go test ./...

docker create --name api-extract api-build
docker cp api-extract:/out/api ./api
docker rm -f api-extract

docker build -t "example/api:${VERSION}" .
rm -f api
