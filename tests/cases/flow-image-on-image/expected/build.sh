#!/bin/sh
# Two images from one directory: the app image is built FROM the agent image.
set -e
docker build --target agent -t example/agent -f docker/Dockerfile.app .
docker build -t example/app -f docker/Dockerfile.app .
