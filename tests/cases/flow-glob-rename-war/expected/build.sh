#!/bin/sh
# Build the war in a Maven container, then bake it into the Tomcat image.
set -e

docker build -t shop:latest -f docker/Dockerfile .
