#!/bin/bash
# Shared settings of the build scripts (CI sets these).
: ${CLEAN_BUILD:=false}
: ${IMG_TAG:=gizmo:latest}
: ${BUILD_IMG_TAG:=gizmo-devel:latest}

NO_CACHE_ARGS=""
if $CLEAN_BUILD; then
  NO_CACHE_ARGS="--no-cache"
fi
