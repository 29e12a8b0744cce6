#!/bin/sh
# The command-line tool image, released by hand.
set -e
docker build -t shop/cli-build -f cli.build.Dockerfile .
docker create --name cli-extract shop/cli-build
docker cp cli-extract:/out/shopctl ./shopctl
docker rm cli-extract
docker build -t shop/cli -f cli.Dockerfile .
