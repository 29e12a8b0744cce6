#!/bin/bash
set -e
docker build -t example/web-build -f Dockerfile.build .
docker run --rm -v "$PWD/dist:/dist" example/web-build
hack/package.sh
