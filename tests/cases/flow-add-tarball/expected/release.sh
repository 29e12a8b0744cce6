#!/bin/sh
# Build the static site in a throwaway node container and serve it with nginx.
set -eu

docker build -t webui:latest .
