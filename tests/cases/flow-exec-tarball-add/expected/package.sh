#!/bin/bash
# Build the .deb packages in the dev image, then install them into a slim runtime image.
set -e

docker build -t example/agent:latest .
