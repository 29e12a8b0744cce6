#!/usr/bin/env bash
# Compile the indexer in the Go image and leave the binary in the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "building the indexer binary"
