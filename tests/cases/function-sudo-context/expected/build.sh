#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")"

VERSION="${VERSION:-1.0.3}"
IMAGE=registry.example.com/shop/api

sudo docker build --build-arg VERSION="$VERSION" -t "$IMAGE:$VERSION" -t "$IMAGE:latest" .
sudo docker push "$IMAGE:$VERSION"
