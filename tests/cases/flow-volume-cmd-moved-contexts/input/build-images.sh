#!/bin/bash
# Build the wheels once, then hand them to each service's image in turn.
set -e

docker build -t shop-wheels -f Dockerfile.wheels .
mkdir -p wheels
docker run --rm -v "$(pwd)/wheels:/wheels" shop-wheels

mv wheels api/wheels
docker build -t shop/api api
mv api/wheels worker/wheels
docker build -t shop/worker worker
mv worker/wheels wheels
