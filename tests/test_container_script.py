"""A Docker socket mounted into a build container is refused unless the container's command is a
project script that, read with the bundles it is given, never uses docker."""

from __future__ import annotations

import shutil
from pathlib import Path

from migrator.pipeline import Status, analyze
from migrator.settings import Settings

CASE = Path(__file__).resolve().parent / "cases" / "read-socket-incidental" / "input"


def _project(tmp_path: Path, binary_recipe: str) -> Path:
    p = tmp_path / "relay"
    shutil.copytree(CASE, p)
    make = p / "Makefile"
    text = make.read_text()
    make.write_text(text.replace("\t$(DOCKER_RUN) ./hack/make.sh binary\n", binary_recipe, 1))
    return p


def _refusals(p: Path) -> list[str]:
    out = analyze(str(p), Settings())
    assert out.status is Status.FAILED
    return [str(x) for x in out.errors]


def test_socket_kept_when_a_bundle_it_runs_calls_docker(tmp_path: Path) -> None:
    """The build target running the integration bundle (docker run inside) is refused at its
    line: that socket is really used."""
    p = _project(tmp_path, "\t$(DOCKER_RUN) ./hack/make.sh binary test-integration\n")
    assert any(r.startswith("Makefile:22:") and "Docker socket" in r for r in _refusals(p))


def test_socket_kept_when_the_command_is_not_a_project_script(tmp_path: Path) -> None:
    """A command that is no file of the project (`go build`, whose tests may use the socket)
    cannot be read, so the socket counts as used."""
    p = _project(tmp_path, "\t$(DOCKER_RUN) go build -o dist/relay ./cmd/relay\n")
    assert any(r.startswith("Makefile:22:") and "Docker socket" in r for r in _refusals(p))


def test_socket_kept_when_the_script_itself_calls_docker(tmp_path: Path) -> None:
    """A build script that runs docker itself needs the socket it is given."""
    p = _project(tmp_path, "\t$(DOCKER_RUN) ./hack/make.sh binary\n")
    binary = p / "hack" / "binary"
    binary.write_text(binary.read_text() + "docker build -t relay-test -f test.Dockerfile .\n")
    assert any(r.startswith("Makefile:22:") and "Docker socket" in r for r in _refusals(p))
