#!/bin/sh
# Two-step image build: compile in the golang image, then pipe the results
# straight into the runtime build without touching the disk.
set -e

docker build -t hello:latest -f Dockerfile.run .
