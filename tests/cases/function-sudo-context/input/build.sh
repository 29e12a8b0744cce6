#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")"

VERSION="${VERSION:-1.0.3}"
IMAGE=registry.example.com/shop/api

build() {
    local file=$1 tag=$2 ctx=$3
    sudo docker build -f "$file" -t "$tag" --build-arg VERSION="$VERSION" "$ctx"
}

# compile inside the toolchain image
build api/Dockerfile.build "$IMAGE:build" api

id=$(sudo docker create "$IMAGE:build")
sudo docker cp "$id:/out/api" bin/api
sudo docker rm -v "$id"

sudo docker build -t "$IMAGE:$VERSION" -t "$IMAGE:latest" .
sudo docker push "$IMAGE:$VERSION"
