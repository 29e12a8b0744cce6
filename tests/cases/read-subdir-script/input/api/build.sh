#!/bin/bash
set -e

echo "Building the api binary"
docker build -t example/api:build -f Dockerfile.build .
docker create --name api_extract example/api:build
docker cp api_extract:/go/src/example.com/api/api ./api
docker rm -f api_extract

echo "Building the api image"
docker build -t example/api:latest .
rm ./api
