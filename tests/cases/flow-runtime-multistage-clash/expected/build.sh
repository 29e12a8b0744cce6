#!/bin/bash
# Build the frozen binary in the dev image, then ship it in the slim image.
set -ex

TAG="cli-dev"

docker build -t example/cli:latest -f Dockerfile.run .
