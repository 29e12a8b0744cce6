#!/bin/sh
set -e
docker build -t example/tools:1 .
