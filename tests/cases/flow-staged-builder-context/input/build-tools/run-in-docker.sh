#!/bin/bash
# Run a command in the builder; outputs land in $PWD/_docker_workspace.
set -e
CURDIR="$(dirname $BASH_SOURCE)"
. $CURDIR/_lib.sh

wkspace=${PWD}/_docker_workspace
mkdir -p $wkspace

RUN_ARGS=( \
  --rm
  -v $wkspace:/build
  -e BUILD_NUMBER=$BUILD_NUMBER
)

# Add -it if caller is a terminal
if [ -t 0 ]; then
  RUN_ARGS+=( "-it" )
fi

docker run "${RUN_ARGS[@]}" "$BUILD_IMG_TAG" "$@"
