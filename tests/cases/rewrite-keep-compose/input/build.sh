#!/usr/bin/env bash
# Release build: compile in the dev image (the one docker-compose.yml runs), ship a slim image.
set -euo pipefail

docker build -t notes-dev -f Dockerfile.dev .
docker run --rm -v "$PWD/out:/out" notes-dev cp /app/notes /out/notes
docker build -t example/notes:latest .
