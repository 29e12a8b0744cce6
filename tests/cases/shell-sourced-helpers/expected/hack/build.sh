#!/usr/bin/env bash
# Builds the relay image: compiles in the toolchain image, then packs the binary.
set -o errexit
set -o nounset
set -o pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "${ROOT_DIR}/hack/lib.sh"

VERSION="${1:-dev}"
GIT_SHA="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
OUT_DIR="${ROOT_DIR}/_output/bin"

cd "${ROOT_DIR}"

build_image "${REGISTRY}/relay:${VERSION}-${GIT_SHA}" build/Dockerfile \
  --label "org.opencontainers.image.revision=${GIT_SHA}"
log "done"
