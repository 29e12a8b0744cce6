"""Several independent flows in one run (migrator/rounds.py): each is migrated in its round, a
later refusal is a warning at the original line, and the rounds stop at their cap."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from migrator.cli import run
from migrator.pipeline import Status, analyze
from migrator.rounds import ROUNDS
from migrator.settings import Settings

CASES = Path(__file__).resolve().parent / "cases"

_IMAGE = """BIN := agent

image:
\tdocker build -t $(BIN)-build -f build/Dockerfile.build .
\tdocker create --name $(BIN)-extract $(BIN)-build
\tdocker cp $(BIN)-extract:/go/bin/$(BIN) ./$(BIN)
\tdocker rm -f $(BIN)-extract
\tdocker build -t example/$(BIN) .

generate:
\tdocker run --rm -v $(CURDIR):/src -w /src golang:1.21 go generate ./...
"""


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def image_and_generate(tmp_path: Path) -> Path:
    """`make image` (migratable) and `make generate` (writes into the bind-mounted tree)."""
    project = tmp_path / "agent"
    shutil.copytree(CASES / "multiflow-make-image-release" / "input", project)
    (project / "Makefile").write_text(_IMAGE)
    return project


def test_later_refusal_is_a_warning_at_the_original_line(
        image_and_generate: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The image flow is migrated; the flow that cannot be is a warning at its line of the
    original Makefile (11, not the 8 of the Makefile the first round left), and a second run
    has nothing left to do."""
    project = image_and_generate
    assert run([str(project)]) == 0
    err = capsys.readouterr().err
    assert f"{project}/Makefile:11: warning: not migrated (make generate): " in err
    assert "COPY --from=builder" in (project / "Dockerfile").read_text()
    assert "go generate" in (project / "Makefile").read_text()
    assert run(["--check", str(project)]) == 0


def test_dry_run_leaves_the_project_and_no_scratch_copy(
        image_and_generate: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The later rounds work on a scratch copy: the project's files (hard-linked into it) are
    unchanged, and the copy is gone afterwards."""
    project = image_and_generate
    before = _tree(project)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert run(["--dry-run", str(project)]) == 1
    assert _tree(project) == before
    assert list(scratch.iterdir()) == []


def _service(root: Path, name: str) -> None:
    d = root / name
    d.mkdir(parents=True)
    (d / "Dockerfile.build").write_text(f"FROM golang:1.21\nRUN go build -o /out/{name} .\n")
    (d / "Dockerfile").write_text(f"FROM alpine:3.18\nCOPY {name} /usr/local/bin/{name}\n")
    (d / "build.sh").write_text(
        "#!/bin/sh\nset -e\n"
        f"docker build -t {name}-build -f Dockerfile.build .\n"
        f"docker create --name {name}-x {name}-build\n"
        f"docker cp {name}-x:/out/{name} ./{name}\n"
        f"docker rm {name}-x\n"
        f"docker build -t example/{name} .\n")


def test_rounds_stop_at_their_cap(tmp_path: Path) -> None:
    """With more independent flows than rounds, one run migrates ROUNDS of them and says which
    builds it left; the next run migrates the rest."""
    names = [f"svc{i}" for i in range(ROUNDS + 1)]
    for name in names:
        _service(tmp_path, name)
    outcome = analyze(str(tmp_path), Settings())
    assert outcome.status is Status.MIGRATE and outcome.plan is not None
    changed = {c.path.split("/")[0] for c in outcome.plan.changes}
    assert len(changed) == ROUNDS
    assert len(outcome.left) == 1 and outcome.left[0].split("/")[0] not in changed
    assert outcome.why.endswith(f"other builds not migrated: {outcome.left[0]}")
    assert run([str(tmp_path)]) == 0
    assert run([str(tmp_path)]) == 0
    assert run(["--check", str(tmp_path)]) == 0
