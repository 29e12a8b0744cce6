#!/bin/sh
set -e

docker build --target test -f Dockerfile .

docker build -t tool:latest .
