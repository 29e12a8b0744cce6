#!/bin/sh
set -e
docker build -t example/cmd-builder:latest .
