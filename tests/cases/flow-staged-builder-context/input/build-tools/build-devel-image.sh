#!/bin/bash
set -e
CURDIR="$(dirname $BASH_SOURCE)"
. $CURDIR/_lib.sh

# Build the builder image from a context of flattened files.
WKDIR=$(mktemp -d docker-build.XXXX)
cp $CURDIR/Dockerfile.builder $WKDIR
cp $CURDIR/patches/greeting.patch $WKDIR/
cp $CURDIR/../main.go $WKDIR/

docker build --force-rm ${NO_CACHE_ARGS} \
  -t $BUILD_IMG_TAG \
  -f $WKDIR/Dockerfile.builder \
  $WKDIR

rm -rf docker-build.????
