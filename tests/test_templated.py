"""A Dockerfile that the build generates from a project template with sed is read as the template
with the substitutions applied, and the migration is written back into the template."""

from __future__ import annotations

import shutil
from pathlib import Path

from migrator.pipeline import Status, analyze
from migrator.settings import Settings

CASE = Path(__file__).resolve().parent / "cases" / "read-templated-dockerfile" / "input"


def _project(tmp_path: Path) -> Path:
    p = tmp_path / "server"
    shutil.copytree(CASE, p)
    return p


def test_a_regular_expression_substitution_is_not_read(tmp_path: Path) -> None:
    """`s|{ARG_.*}|x|g` is a regular expression, not a placeholder: the generated Dockerfile is
    refused as missing at the build's line, nothing planned."""
    p = _project(tmp_path)
    make = p / "Makefile"
    make.write_text(make.read_text().replace("'s|{ARG_ARCH}|$(ARCH)|g'", "'s|{ARG_.*}|x|g'"))
    out = analyze(str(p), Settings())
    assert out.status is Status.FAILED
    assert any("no such Dockerfile" in str(x) for x in out.errors)


def test_a_privileged_run_with_output_discarded_is_no_extraction(tmp_path: Path) -> None:
    """A --privileged registration run whose output goes to /dev/null makes no file, so it
    neither blocks the migration nor becomes a stage."""
    p = _project(tmp_path)
    make = p / "Makefile"
    make.write_text(make.read_text().replace(
        "container: build\n",
        "container: build\n\tdocker run --rm --privileged tonistiigi/binfmt --install all"
        " >/dev/null\n"))
    out = analyze(str(p), Settings())
    assert out.status is Status.MIGRATE and out.plan is not None
    text = next(c.new for c in out.plan.changes if c.path == "Dockerfile.in")
    assert text is not None and "binfmt" not in text
    assert "COPY --from=builder --chown=0:0 /src/bin/{ARG_ARCH}/{ARG_BIN} " in text
