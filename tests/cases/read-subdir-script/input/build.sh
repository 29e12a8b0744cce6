#!/bin/bash
# Builds every service image. Run from the repository root.
set -e

(cd api && ./build.sh)
