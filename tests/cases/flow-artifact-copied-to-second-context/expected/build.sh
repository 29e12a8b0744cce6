#!/bin/sh
# The agent image's context gets the outputs; the app's context gets a copy of one.
set -e
docker build -f agent/Dockerfile -t example/agent .
docker build -t example/app -f docker/Dockerfile.app .
