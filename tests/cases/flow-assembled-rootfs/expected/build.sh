#!/bin/bash
# Assemble the image context from the rootfs overlay and the compiled relay.
set -e

docker build -f docker/runtime.Dockerfile -t example/relay:latest .
