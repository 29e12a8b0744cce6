#!/bin/sh
# The builder needs no context: its Dockerfile goes in on stdin.
set -e
docker build -t app .
