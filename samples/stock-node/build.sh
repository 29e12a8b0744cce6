#!/bin/sh
set -e
rm -rf dist
docker run --rm --volume "$(pwd):/app" --workdir /app node:18 sh -c "npm ci && npm run build"
docker build -t example/web:latest .
