#!/bin/bash
set -e
./build-tools/build-devel-image.sh
./build-tools/run-in-docker.sh cp /usr/local/bin/gizmo /build/gizmo
. build-tools/_lib.sh
docker build ${NO_CACHE_ARGS} -t $IMG_TAG .
