"""Verification of Python build scripts beyond what every golden case gets.

tests/verify/test_cases_verify.py verifies each py-* golden case under both builders: the legacy
Python entry point runs for real (`python3 build.py`, `python -m invoke TASK`), its `docker`
calls through the verification shim and its Docker SDK calls through the SDK shim
(migrator.verify.sdk_shim). Here: that the SDK's names never reach the engine, and how a Python
entry point is started. Marked ``engine``: under CI=true a missing engine fails them.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from migrator import cli
from migrator.verify.engine import DockerClient

CASES = Path(__file__).resolve().parent / "cases"


@pytest.fixture
def engine_env(docker: DockerClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", docker.env["DOCKER_HOST"])
    for name in ("DOCKER_CONTEXT", "DOCKER_BUILDKIT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)


def _verify(capsys: pytest.CaptureFixture[str], docker: DockerClient, builder: str,
            project: Path) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = cli.run(["--json", "--verify", "--dry-run", "--docker", docker.binary, "--builder",
                    builder, str(project)])
    report = json.loads(capsys.readouterr().out)
    (result,) = report["projects"]
    return code, result["verification"]


@pytest.mark.engine
def test_sdk_names_stay_private(engine_env: None, docker: DockerClient, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """The SDK script's own tags never reach the engine: they are the session's private names,
    and are gone afterwards."""
    project = tmp_path / "sdk"
    shutil.copytree(CASES / "py-sdk-create-archive" / "input", project)
    code, result = _verify(capsys, docker, "classic", project)
    assert code == 0, json.dumps(result, indent=1)
    assert result["legacy"]["final_image"].startswith("mv-")
    for tag in ("greeter-build:latest", "greeter:latest"):
        assert not docker.run(["image", "inspect", tag], timeout=60).ok


def test_python_argv_runs_the_interpreter_with_the_sdk() -> None:
    """Verification runs a Python entry point with migrator's own interpreter (which has the
    docker SDK), invoke tasks through `-m invoke`."""
    from migrator.verify.run import python_argv

    assert python_argv("scripts/images.py", None) == (sys.executable, "scripts/images.py")
    assert python_argv("tasks.py", "image")[1:3] == ("-m", "invoke")
    assert os.path.basename(python_argv("noxfile.py", "images")[2]) == "nox"
