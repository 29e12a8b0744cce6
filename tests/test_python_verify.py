"""Python-driven golden cases, verified on the private test engine under both builders.

`migrate --verify` runs each case's legacy Python entry point for real (`python3 build.py`,
`python -m invoke TASK`), its `docker` calls through the verification shim and its Docker SDK
calls through the SDK shim (migrator.verify.sdk_shim), then the migrated one, and compares the
two images. Marked ``engine``: under CI=true a missing engine fails them.
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
PY_CASES = tuple(sorted(p.name for p in CASES.iterdir() if p.name.startswith("py-")
                        and (p / "expected").is_dir()))


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
@pytest.mark.parametrize("name", PY_CASES)
def test_python_case_verifies_equivalent(engine_env: None, docker: DockerClient, builder: str,
                                         name: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Each buildable Python case: the legacy script and the migrated one both run for real
    and build equivalent images, nothing left behind."""
    project = tmp_path / name
    shutil.copytree(CASES / name / "input", project)
    code, result = _verify(capsys, docker, builder, project)
    assert code == 0, json.dumps(result, indent=1)
    assert result["status"] == "equivalent"
    assert result["legacy"]["ok"] and result["migrated"]["ok"]
    assert result["comparison"]["differences"] == []
    assert result["cleanup_problems"] == []


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
