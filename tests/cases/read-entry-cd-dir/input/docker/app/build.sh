#!/bin/sh
set -e
id=$(docker create gizmo-build)
docker cp "$id":/out/gizmo gizmo
docker rm "$id"
docker build -t gizmo .
