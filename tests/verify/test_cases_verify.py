"""`migrate --verify` on every golden case that migrates, under both builders.

The cases are discovered (tests/cases/<name>/ with an `expected/` tree or a `deleted` file), so a
case that lands is verified without editing this file. Each is verified on a copy of its input,
on the private test engine (tests/engine/setup.sh), whose stand-in base images are listed in
tests/engine/images.txt.

What cannot be verified there says so in data: a `verify` file in the case's directory, one
`KEY: REASON` per line,

    skip: the legacy flow pushes to a registry          (no builder)
    skip-classic: heredocs need BuildKit                (one builder)
    fails-buildkit: ... (migrator bug, issue N)         (a known failure: runs, must fail)

Such a pair is no test item (CI skips no engine test): test_what_cannot_be_verified_says_why
checks that every other pair is verified and lists them with their reasons in
tests/artefacts/unverified.txt. A known failure runs as a strict xfail, so a fix that makes
it pass is noticed. A case whose `args` fix `--builder` is planned for
that builder only, and is verified under it. A case whose input is a sample (`source`) and that
has no `args` is the same verification as test_verify_engine's sample test, which runs it.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from migrator import cli
from migrator.verify.engine import DockerClient

ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = ROOT / "tests" / "cases"
BUILDERS = ("buildkit", "classic")
KEYS = ("skip", *(f"skip-{b}" for b in BUILDERS), *(f"fails-{b}" for b in BUILDERS))


def _migrates(case: Path) -> bool:
    return (case / "expected").is_dir() or (case / "deleted").is_file()


def _args(case: Path) -> list[str]:
    f = case / "args"
    return shlex.split(f.read_text()) if f.is_file() else []


def _notes(case: Path) -> dict[str, str]:
    """The case's `verify` file: KEY -> REASON (a bad line is a collection error)."""
    f = case / "verify"
    if not f.is_file():
        return {}
    notes: dict[str, str] = {}
    for n, line in enumerate(f.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, reason = line.partition(":")
        if not sep or key.strip() not in KEYS or not reason.strip():
            raise ValueError(f"{f}:{n}: want 'KEY: REASON' with KEY one of {', '.join(KEYS)}")
        notes[key.strip()] = reason.strip()
    return notes


def _fixed_builder(case: Path) -> str | None:
    args = _args(case)
    for i, a in enumerate(args):
        if a == "--builder" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--builder="):
            return a.partition("=")[2]
    return None


def _sample_only(case: Path) -> bool:
    return (case / "source").is_file() and not _args(case)


UNVERIFIED: list[str] = []  # (case, builder) pairs the case's data says cannot be verified


def _params() -> list[Any]:
    params = []
    for case in sorted(p for p in CASES_DIR.iterdir() if p.is_dir() and _migrates(p)):
        if _sample_only(case):
            continue
        notes = _notes(case)
        fixed = _fixed_builder(case)
        for builder in BUILDERS:
            marks: list[Any] = []
            why = notes.get("skip") or notes.get(f"skip-{builder}")
            if fixed is not None and fixed != builder:
                why = f"its args plan the migration for --builder {fixed}"
            if why:
                # Not a test item (CI must skip no engine test): said in data, checked below.
                UNVERIFIED.append(f"tests/cases/{case.name} under {builder}: {why}")
                continue
            if f"fails-{builder}" in notes:
                marks.append(pytest.mark.xfail(reason=notes[f"fails-{builder}"], strict=True))
            params.append(pytest.param(case, builder, marks=marks, id=f"{case.name}-{builder}"))
    return params


PARAMS = _params()


def test_what_cannot_be_verified_says_why() -> None:
    """Every migrating case is verified under each builder, or its `verify` file (or its args'
    fixed --builder) says why not; the list is kept in tests/artefacts/unverified.txt."""
    verified = {(p.values[0].name, p.values[1]) for p in PARAMS}
    for case in sorted(p for p in CASES_DIR.iterdir() if p.is_dir() and _migrates(p)):
        for builder in BUILDERS:
            said = any(u.startswith(f"tests/cases/{case.name} under {builder}: ")
                       for u in UNVERIFIED)
            assert _sample_only(case) or (case.name, builder) in verified or said, case.name
    out = ROOT / "tests" / "artefacts"
    out.mkdir(exist_ok=True)
    (out / "unverified.txt").write_text("".join(f"{u}\n" for u in UNVERIFIED))


# A fixed identity and date: the commit (and `git describe --always`) is the same every run.
GIT_ENV = {"GIT_AUTHOR_NAME": "case", "GIT_AUTHOR_EMAIL": "case@example.com",
           "GIT_COMMITTER_NAME": "case", "GIT_COMMITTER_EMAIL": "case@example.com",
           "GIT_AUTHOR_DATE": "2020-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2020-01-01T00:00:00Z",
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}


def _checkout(project: Path) -> None:
    """PROJECT as the git checkout its layout imitates (scripts run `git describe`), with one
    commit of everything: verification copies .git along with the project."""
    for argv in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "case"]):
        subprocess.run(["git", *argv], cwd=project, env=GIT_ENV, check=True,
                       stdout=subprocess.DEVNULL)


def _input(case: Path) -> Path:
    source = case / "source"
    return ROOT / source.read_text().strip() if source.is_file() else case / "input"


@pytest.fixture
def engine_env(docker: DockerClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """This process pointed at the test engine, with no builder chosen by the environment."""
    monkeypatch.setenv("DOCKER_HOST", docker.env["DOCKER_HOST"])
    for name in ("DOCKER_CONTEXT", "DOCKER_BUILDKIT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.engine
@pytest.mark.parametrize(("case", "builder"), PARAMS)
def test_case_verifies_equivalent(
    engine_env: None, docker: DockerClient, case: Path, builder: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The case's migration, built for real next to its legacy flow, gives the same image (or,
    for an extraction-only flow, the same files): exit 0, status equivalent."""
    project = tmp_path / case.name
    shutil.copytree(_input(case), project, symlinks=True)
    _checkout(project)
    args = _args(case)
    if _fixed_builder(case) is None:
        args += ["--builder", builder]
    capsys.readouterr()
    code = cli.run(["--json", *args, "--verify", "--docker", docker.binary, "--dry-run",
                    str(project)])
    (result,) = json.loads(capsys.readouterr().out)["projects"]
    verification = result.get("verification")
    assert verification is not None, json.dumps(result, indent=1)
    text = json.dumps(verification, indent=1)
    assert code == 0, text
    assert verification["status"] == "equivalent", text
    assert verification["builder"] == builder
    assert verification["cleanup_problems"] == [], text


def test_verify_notes_are_well_formed() -> None:
    """Every `verify` file belongs to a case that migrates and says why, with known keys."""
    for note in sorted(CASES_DIR.glob("*/verify")):
        case = note.parent
        assert _migrates(case), f"{note}: the case does not migrate, nothing to verify"
        assert _notes(case), f"{note}: empty"


def test_sample_cases_are_verified_as_samples() -> None:
    """A case whose input is a sample is verified by the samples test (same input, no args)."""
    samples = {p.name for p in (ROOT / "samples").iterdir() if (p / "README.md").is_file()}
    for case in sorted(p for p in CASES_DIR.iterdir() if p.is_dir() and _sample_only(p)):
        source = (case / "source").read_text().strip()
        assert source.startswith("samples/") and source.split("/")[1] in samples, case.name
