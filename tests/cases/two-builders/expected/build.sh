#!/bin/bash
set -e
docker build --target test -f Dockerfile .

docker build -t acme/shop:latest .
