"""Run-time builds that cannot become a Dockerfile stage are refused with a location, and the
shapes that can are read right (bind mounts, CMD builds, exec steps, caches, .dockerignore)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from migrator.cli import run
from migrator.pipeline import Status, analyze
from migrator.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def _project(tmp_path: Path, build_sh: str, dockerfile: str = "FROM alpine:latest\n"
             "COPY dist/app /app\n") -> Path:
    p = tmp_path / "p"
    p.mkdir()
    (p / "build.sh").write_text(build_sh)
    (p / "Dockerfile").write_text(dockerfile)
    (p / "main.go").write_text("package main\n")
    return p


def _tree(root: Path) -> dict[str, bytes]:
    return {str(f.relative_to(root)): f.read_bytes() for f in root.rglob("*") if f.is_file()}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('docker run --rm -v "$PWD":/src -v /var/run/docker.sock:/var/run/docker.sock '
         "-v \"$PWD/dist\":/out golang:1.21 go build -o /out/app .", "Docker socket"),
        ('docker run --rm --link db:db -v "$PWD":/src -v "$PWD/dist":/out golang:1.21 '
         "go build -o /out/app .", "containers started beside it"),
        ('docker run --rm --network container:db -v "$PWD":/src -v "$PWD/dist":/out '
         "golang:1.21 go build -o /out/app .", "containers started beside it"),
        ('docker run --rm -v "$HOME/keys":/keys -v "$PWD":/src -v "$PWD/dist":/out '
         "golang:1.21 go build -o /out/app .", "outside the project"),
    ],
)
def test_untranslatable_builds_exit_3_and_write_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str) -> None:
    """Builds needing the Docker socket, services beside them or host paths outside the
    project are refused with build.sh:LINE and the reason, and nothing is written."""
    p = _project(tmp_path, f"#!/bin/sh\nmkdir -p dist\n{line}\ndocker build -t x .\n")
    before = _tree(p)
    assert run([str(p)]) == 3
    err = capsys.readouterr().err
    assert f"{p}/build.sh:3: error:" in err and message in err
    assert "Traceback" not in err
    assert _tree(p) == before


def test_bind_mount_becomes_a_stage_with_workdir_env_copy_and_exact_command(
        tmp_path: Path) -> None:
    """A bind-mounted build becomes FROM image, WORKDIR -w, ENV -e, COPY of the mounted source,
    and the container's command in exec form; its output is copied from the stage."""
    p = tmp_path / "bind"
    shutil.copytree(SAMPLES / "bind-mount-go", p)
    out = analyze(str(p), Settings())
    assert out.status is Status.MIGRATE and out.plan is not None
    text = next(c.new for c in out.plan.changes if c.path == "Dockerfile")
    assert "FROM golang:1.21 AS builder\n" in text
    assert "WORKDIR /src\nCOPY . /src\n" in text
    assert "ENV CGO_ENABLED=0\n" in text and "ARG GOFLAGS\n" in text
    assert 'RUN ["go", "build", "-o", "/out/app", "."]\n' in text
    assert "COPY --from=builder --chown=0:0 /out/app /usr/local/bin/app\n" in text
    # a cache mount is a cache: nothing under the classic builder's syntax
    assert "--mount=type=cache" not in text


def test_cache_mount_becomes_a_buildkit_cache_mount_when_allowed(tmp_path: Path) -> None:
    """With --buildkit, the container's cache mount becomes RUN --mount=type=cache."""
    p = tmp_path / "bind"
    shutil.copytree(SAMPLES / "bind-mount-go", p)
    out = analyze(str(p), Settings(buildkit=True))
    assert out.plan is not None
    text = next(c.new for c in out.plan.changes if c.path == "Dockerfile")
    assert 'RUN --mount=type=cache,target=/root/.cache/go-build ["go", "build"' in text


def test_dockerignored_source_the_bind_mount_saw_is_reported(tmp_path: Path) -> None:
    """A file the bind mount showed the build but .dockerignore hides from COPY is named in a
    warning with the run's location."""
    p = tmp_path / "bind"
    shutil.copytree(SAMPLES / "bind-mount-go", p)
    (p / ".dockerignore").write_text(".cache\n*.go\n")
    out = analyze(str(p), Settings())
    warnings = [str(x) for x in out.problems]
    assert any("build.sh:4" in w and "main.go" in w and ".dockerignore" in w for w in warnings)


def test_exec_steps_become_run_steps_in_order(tmp_path: Path) -> None:
    """A long-lived builder's docker exec steps become RUN steps in the order they ran, with
    their -e variables."""
    p = tmp_path / "exec"
    shutil.copytree(SAMPLES / "exec-builder", p)
    out = analyze(str(p), Settings())
    assert out.plan is not None
    text = next(c.new for c in out.plan.changes if c.path == "deploy/Dockerfile")
    first = text.index('RUN ["go", "mod", "download"]')
    second = text.index('RUN ["env", "CGO_ENABLED=0", "go", "build"')
    assert first < second
    script = next(c.new for c in out.plan.changes if c.path == "build.sh")
    assert script is not None and "toolbox" not in script  # the trap's cleanup is dead too
