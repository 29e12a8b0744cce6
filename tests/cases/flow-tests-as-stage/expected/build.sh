#!/usr/bin/env bash
set -euo pipefail

VERSION=${1:-dev}

# Run the unit tests in the toolchain image before we ship anything.
docker build --target test -f Dockerfile .

docker build -t "example/api:${VERSION}" .
