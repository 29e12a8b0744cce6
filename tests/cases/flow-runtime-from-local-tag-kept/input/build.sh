#!/bin/sh
# Builds the relay image and leaves a copy of the binary in ./dist.
set -e
docker build -t relay-toolchain -f Dockerfile.toolchain .
docker build -t example/relay -f Dockerfile.release .
mkdir -p dist
docker run --rm -v "$PWD/dist:/dist" --entrypoint cp example/relay /usr/local/bin/relayd /dist/
docker run --rm -v "$PWD/dist:/dist" alpine chown -R "$(id -u):$(id -g)" /dist
echo "image example/relay, binary in dist/"
# The toolchain image is also what developers open a shell in.
docker run --rm relay-toolchain go version
