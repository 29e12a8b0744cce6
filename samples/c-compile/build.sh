#!/bin/sh
set -e
docker build -t crc-build -f Dockerfile.build .
docker create --name crc-extract crc-build
docker cp crc-extract:/out/crc ./crc
docker rm crc-extract
docker build -t example/crc:latest .
rm -f crc
