#!/bin/sh
# Run from docker/ (CI: `cd docker && ./build.sh`): each part builds in its own directory.
set -e
cd builder
./build.sh
cd ../app
./build.sh
