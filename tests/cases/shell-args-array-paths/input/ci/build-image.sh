#!/usr/bin/env bash
#
# Build the web image. Usage: ci/build-image.sh [--push] [--tag TAG]
#
set -euo pipefail

SCRIPT_DIR="$(dirname "$(readlink -f "$0")")"
PROJECT_ROOT="$(realpath "${SCRIPT_DIR}/..")"

PUSH=false
TAG=""
while [ $# -gt 0 ]; do
  case "$1" in
    --push) PUSH=true ;;
    --tag) shift; TAG="$1" ;;
    -h|--help) echo "usage: $0 [--push] [--tag TAG]"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

BRANCH="${CI_COMMIT_REF_NAME:-main}"
if [ -z "${TAG}" ]; then
  TAG="${BRANCH//\//-}"
fi

IMAGE=acme/storefront
BUILD_ARGS=(
  --build-arg "NODE_ENV=production"
  --build-arg "APP_VERSION=${APP_VERSION:-0.0.0-dev}"
)

cd "${PROJECT_ROOT}"

echo "--- compiling assets (${#BUILD_ARGS[@]} build options)"
docker build "${BUILD_ARGS[@]}" -t "${IMAGE}:assets" -f ci/Dockerfile.assets .
docker create --name storefront-assets "${IMAGE}:assets"
docker cp storefront-assets:/app/dist ./public
docker rm storefront-assets

echo "--- packing ${IMAGE}:${TAG}"
docker build -t "${IMAGE}:${TAG}" .

if [ "${PUSH}" = true ]; then
  docker push "${IMAGE}:${TAG}"
fi
