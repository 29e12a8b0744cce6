"""An extraction-only flow, migrated to an export stage, leaves the same files on the host.

The legacy script (build, create, cp, rm) and the migrated one (`docker build --target export
--output type=local`) both run for real on the test engine; the files they leave must match in
content and mode.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import uuid
from pathlib import Path

import pytest

from migrator.cli import run
from migrator.verify.engine import DockerClient

_SCRIPT = """#!/bin/sh
set -e
docker build -q -t {tag} -f build/Dockerfile . >/dev/null
docker create --name {name} {tag} >/dev/null
mkdir -p dist
docker cp {name}:/src/mytool dist/mytool
docker rm {name} >/dev/null
"""
_DOCKERFILE = """FROM busybox:latest
WORKDIR /src
RUN printf 'tool v1\\n' > mytool && chmod 750 mytool
"""


def _project(root: Path, tag: str, name: str) -> Path:
    (root / "build").mkdir(parents=True)
    (root / "build.sh").write_text(_SCRIPT.format(tag=tag, name=name))
    (root / "build" / "Dockerfile").write_text(_DOCKERFILE)
    return root


def _run(project: Path, docker: DockerClient) -> Path:
    env = {**os.environ, **docker.env, "PATH": f"{Path(docker.binary).parent}:/usr/bin:/bin"}
    done = subprocess.run(["sh", "build.sh"], cwd=project, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return project / "dist" / "mytool"


@pytest.mark.engine
def test_export_stage_leaves_what_docker_cp_left(docker: DockerClient, tmp_path: Path) -> None:
    """The migrated export build writes dist/mytool with the legacy content and mode."""
    if Path(docker.binary).name != "docker" or not shutil.which(docker.binary):
        pytest.fail(f"no docker client at {docker.binary}")
    tag, name = f"migrator-export-{uuid.uuid4().hex[:8]}", f"mx-{uuid.uuid4().hex[:8]}"
    try:
        legacy = _run(_project(tmp_path / "legacy", tag, name), docker)
        migrated_root = _project(tmp_path / "migrated", tag, name)
        assert run([str(migrated_root)]) == 0
        assert "--output type=local,dest=dist" in (migrated_root / "build.sh").read_text()
        migrated = _run(migrated_root, docker)
        assert migrated.read_bytes() == legacy.read_bytes() == b"tool v1\n"
        assert stat.S_IMODE(migrated.stat().st_mode) == stat.S_IMODE(legacy.stat().st_mode)
        # A plain build of the builder's Dockerfile still makes the image it made.
        plain = docker.run(["build", "-q", "-t", tag, "-f", "build/Dockerfile", "."],
                           cwd=migrated_root)
        assert plain.returncode == 0, plain.stderr
        inside = docker.run(["run", "--rm", tag, "cat", "/src/mytool"])
        assert inside.stdout == b"tool v1\n"
    finally:
        docker.run(["rmi", "-f", tag])
