#!/bin/sh
# Build the static site in a throwaway container and serve it from busybox.
set -e

docker build -t site-build -f Dockerfile.build .
docker run --rm site-build > site.tar.gz
docker build -t site:latest .
rm -f site.tar.gz
