#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine, as root: installs what the tests need,
# starts the private test Docker engine (tests/engine/setup.sh), then lints, type-checks and
# runs pytest. Extra arguments go to pytest. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v make >/dev/null 2>&1 || need+=(make)   # samples driven by a Makefile
command -v git >/dev/null 2>&1 || need+=(git)     # --git-branch tests, pre-commit
command -v chromium >/dev/null 2>&1 || need+=(chromium)  # the HTML report, in a real browser
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
bash tests/engine/setup.sh          # docker.io, busybox-static; private dockerd; stand-in images
# A second private engine (own socket, data root, containerd, bridge) for --engine tests.
MIGRATOR_TEST_INSTANCE=2 bash tests/engine/setup.sh

python3 -m pip install -q --disable-pip-version-check -e '.[test]'
python3 -m ruff check migrator tests benchmarks
python3 -m mypy
# Engine tests talk only to the private engine, never to the machine's default daemon.
export MIGRATOR_TEST_DOCKER_HOST=unix:///run/migrator-test/docker.sock
export MIGRATOR_TEST_DOCKER_HOST2=unix:///run/migrator-test2/docker.sock
python3 -m pytest "$@"
