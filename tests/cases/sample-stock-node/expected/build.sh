#!/bin/sh
set -e
docker build -t example/web:latest .
