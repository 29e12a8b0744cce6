#!/bin/sh
# The agent image's context gets the outputs; the app's context gets a copy of one.
set -e
docker build -t example/builder -f Dockerfile.build .
docker run --rm -v "$PWD/agent:/dist" example/builder cp /out/a /out/b /dist/
cp agent/b docker/b
docker build -t example/agent agent/
docker build -t example/app -f docker/Dockerfile.app docker/
