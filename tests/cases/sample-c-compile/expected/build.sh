#!/bin/sh
set -e
docker build -t example/crc:latest .
