#!/bin/bash
set -e

echo "Building the api binary"

echo "Building the api image"
docker build -t example/api:latest .
