#!/bin/bash
set -e
docker build -t acme/api-builder:latest -f Dockerfile.api .
docker build -t acme/web-builder:latest -f web/Dockerfile.web web
docker run --rm acme/api-builder:latest go test ./...

api=$(docker create acme/api-builder:latest)
docker cp $api:/go/bin/api ./api
docker rm $api
mkdir -p static
docker run --rm acme/web-builder:latest tar -C /web/dist -c . | tar -x -C static

docker build -t acme/shop:latest .
rm -rf api static
