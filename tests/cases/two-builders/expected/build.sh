#!/bin/bash
set -e
docker build --target api-builder -t acme/api-builder:latest -f Dockerfile .
docker run --rm acme/api-builder:latest go test ./...

docker build -t acme/shop:latest .
