#!/bin/bash
# Build the wheels once, then hand them to each service's image in turn.
set -e

docker build -f api/Dockerfile -t shop/api .
docker build -f worker/Dockerfile -t shop/worker .
