#!/bin/bash
set -e
CURDIR="$(dirname $BASH_SOURCE)"
. $CURDIR/_lib.sh

rm -rf docker-build.????
