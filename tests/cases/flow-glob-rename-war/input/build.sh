#!/bin/sh
# Build the war in a Maven container, then bake it into the Tomcat image.
set -e

docker build -t shop-builder -f docker/Dockerfile.build .
docker create --name shop-build shop-builder
rm -rf target
docker cp shop-build:/usr/src/shop/target ./target
docker rm shop-build

docker build -t shop:latest -f docker/Dockerfile .
