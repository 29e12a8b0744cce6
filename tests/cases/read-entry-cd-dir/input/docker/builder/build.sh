#!/bin/sh
set -e
docker build -t gizmo-build -f Dockerfile ../..
