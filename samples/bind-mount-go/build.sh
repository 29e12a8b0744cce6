#!/bin/sh
set -e
mkdir -p dist .cache
docker run --rm -v "$PWD":/src -v "$PWD/dist":/out -v "$PWD/.cache":/root/.cache/go-build \
    -w /src -e CGO_ENABLED=0 -e GOFLAGS -u "$(id -u):$(id -g)" \
    golang:1.21 go build -o /out/app .
docker build -t example/bind:latest .
rm -rf dist
