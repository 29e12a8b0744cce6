#!/usr/bin/env bash
set -euo pipefail
# A long-lived toolchain container: start it once, run the build steps in it.
docker build -t example/server:dev -f deploy/Dockerfile .
