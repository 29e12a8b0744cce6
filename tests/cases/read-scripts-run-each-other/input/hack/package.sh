#!/bin/bash
# Package the site; rebuilds first when dist/ is missing.
set -e
hack/build.sh
docker build -t example/web .
