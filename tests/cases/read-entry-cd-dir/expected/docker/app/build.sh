#!/bin/sh
set -e
docker build -f Dockerfile -t gizmo ../..
