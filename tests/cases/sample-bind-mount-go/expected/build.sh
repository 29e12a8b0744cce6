#!/bin/sh
set -e
docker build --build-arg GOFLAGS -t example/bind:latest .
