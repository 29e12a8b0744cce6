#!/bin/sh
# Two images from one directory: the app image is built FROM the agent image.
set -e
docker build -t example/builder -f Dockerfile.build .
docker run --rm -v "$PWD/docker:/dist" example/builder cp /out/a /out/b /dist/
docker build -t example/agent -f docker/Dockerfile.agent docker/
docker build -t example/app -f docker/Dockerfile.app docker/
