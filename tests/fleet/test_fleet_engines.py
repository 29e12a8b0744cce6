"""--verify with --engine repeated: projects spread over two real engines (the private test
engine and a second one from `MIGRATOR_TEST_INSTANCE=2 tests/engine/setup.sh`), one project
per engine at a time; an engine that does not answer is taken out without failing a project;
a docker context names an engine too."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from migrator.cli import run
from migrator.verify.engine import DockerClient, engine_available

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLES = ROOT / "samples"
DOCKER = os.environ.get("MIGRATOR_TEST_DOCKER", "/usr/bin/docker")
FIRST = os.environ.get("MIGRATOR_TEST_DOCKER_HOST", "unix:///run/migrator-test/docker.sock")
SECOND = os.environ.get("MIGRATOR_TEST_DOCKER_HOST2", "unix:///run/migrator-test2/docker.sock")


@pytest.fixture(scope="module")
def engines() -> tuple[str, str]:
    for host in (FIRST, SECOND):
        reason = engine_available(DockerClient(binary=DOCKER, env={"DOCKER_HOST": host}))
        if reason is not None:
            message = (f"engine {host} not reachable (start it with MIGRATOR_TEST_INSTANCE=2 "
                       f"tests/engine/setup.sh): {reason}")
            if os.environ.get("CI") == "true":
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
    return FIRST, SECOND


@pytest.fixture
def repos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("href-counter", "volume-cp", "create-cp-dir", "tar-stream"):
        shutil.copytree(SAMPLES / name, tmp_path / "repos" / name, symlinks=True)
    return tmp_path


def _report(path: Path) -> dict[str, dict[str, object]]:
    return {p["path"]: p for p in json.loads(path.read_text())["projects"]}


def test_verification_spreads_over_two_engines_one_project_each_at_a_time(
        repos: Path, engines: tuple[str, str]) -> None:
    """Four projects, two engines: all equivalent and written, both engines used, and no
    engine ever had two projects at once."""
    args = ["-q", "--verify", "--docker", DOCKER, "-r", "repos", "--report", "r.json"]
    assert run([*args, "--engine", engines[0], "--engine", engines[1]]) == 0
    projects = _report(repos / "r.json")
    assert len(projects) == 4
    spans: dict[str, list[tuple[float, float]]] = {}
    for p in projects.values():
        v = p["verification"]
        assert isinstance(v, dict) and v["status"] == "equivalent", v
        spans.setdefault(v["engine"], []).append((v["started"], v["finished"]))
        assert p["written"] is True
    assert set(spans) == set(engines)
    for runs in spans.values():
        runs.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(runs))


def test_an_engine_that_does_not_answer_is_taken_out(
        repos: Path, engines: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    """A dead socket among the engines: its project goes to the live engine; no project fails."""
    dead = f"unix://{repos}/no-engine.sock"
    args = ["--check", "--verify", "--docker", DOCKER, "-r", "repos", "--report", "r.json"]
    assert run([*args, "--engine", dead, "--engine", engines[1]]) == 0
    assert f"engine {dead}: taken out" in capsys.readouterr().err
    for p in _report(repos / "r.json").values():
        v = p["verification"]
        assert isinstance(v, dict) and v["status"] == "equivalent" and v["engine"] == engines[1]


def test_no_engine_left_is_a_verification_error(
        repos: Path, engines: tuple[str, str]) -> None:
    """Every engine dead: the projects are not failed as migrations, verification could not
    run (exit 4), nothing is written."""
    dead = f"unix://{repos}/no-engine.sock"
    assert run(["-q", "--verify", "--docker", DOCKER, "repos/href-counter", "--engine",
                dead]) == 4
    assert (repos / "repos" / "href-counter" / "Dockerfile.build").exists()


def test_a_docker_context_names_an_engine(
        repos: Path, engines: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """--engine NAME of a docker context verifies on that context's engine."""
    config = repos / "docker-config"
    config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    subprocess.run([DOCKER, "context", "create", "second", "--docker", f"host={engines[1]}"],
                   check=True, capture_output=True)
    assert run(["--check", "-q", "--verify", "--docker", DOCKER, "repos/volume-cp",
                "--engine", "second", "--report", "r.json"]) == 0
    v = _report(repos / "r.json")["repos/volume-cp"]["verification"]
    assert isinstance(v, dict) and v["status"] == "equivalent" and v["engine"] == "second"
