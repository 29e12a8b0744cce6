#!/bin/sh
# Build the static site in a throwaway container and serve it from busybox.
set -e

docker build -t site:latest .
