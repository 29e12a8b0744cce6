#!/bin/sh
# Build the static site in a throwaway node container and serve it with nginx.
set -eu

docker build -t webui-build -f build/Dockerfile .
docker run --rm webui-build > webui.tar.gz
docker build -t webui:latest .
rm -f webui.tar.gz
