# Shared helpers for the build scripts. Source it; do not run it.

readonly REGISTRY="${REGISTRY:-quay.io/example}"
readonly BUILDER_IMAGE="relay-builder"

log() {
  echo "==> $*" >&2
}

# build_image NAME DOCKERFILE [docker build options...]
build_image() {
  local name=$1 dockerfile=$2
  shift 2
  docker build -f "${dockerfile}" -t "${name}" "$@" "${ROOT_DIR}"
}
