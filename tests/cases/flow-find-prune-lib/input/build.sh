#!/bin/bash
set -e

rm -rf out
mkdir -p out/bin
docker build -t zmqproxy-build -f Dockerfile.build .
docker create --name zmqproxy-extract zmqproxy-build
docker cp zmqproxy-extract:/usr/local/lib out
# static archives are only needed at link time
find out/lib -name "*.a" -delete
docker cp zmqproxy-extract:/usr/local/bin/zmqproxy out/bin
docker rm -f zmqproxy-extract

docker build -t example/zmqproxy .
rm -rf out
