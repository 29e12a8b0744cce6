#!/bin/sh
# Builds relay in the toolchain image and packages it. plugins/ starts empty:
# operators mount their own plugins there.
set -e

rm -rf out
mkdir -p out/bin out/plugins

docker build -t relay-build -f Dockerfile.build .
docker create --name relay-extract relay-build
docker cp relay-extract:/go/bin/relay out/bin/
docker rm relay-extract

docker build -t relay:latest .
rm -rf out
