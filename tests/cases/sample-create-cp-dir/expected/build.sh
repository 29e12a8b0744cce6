#!/bin/sh
set -e

docker build -t example/app:latest .
