#!/bin/bash
# Assemble the image context from the rootfs overlay and the compiled relay.
set -e

CTX=$(mktemp -d)

docker build -t relay-build -f docker/build.Dockerfile .
docker create --name relay-out relay-build
docker cp relay-out:/usr/local/bin/relay "$CTX"/relay
docker rm relay-out

cp -r docker/rootfs/* "$CTX"/
cp docker/runtime.Dockerfile "$CTX"/Dockerfile
docker build -t example/relay:latest "$CTX"
rm -rf "$CTX"
