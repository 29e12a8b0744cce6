"""Golden cases, discovered from data.

Each `tests/cases/<name>/` holds an `input/` project (or a `source` file naming a directory under
the repository, such as a sample) and, if the migration changes anything, an `expected/` tree
with the files it rewrites or creates, exactly as they must read, and a `deleted` file listing
the files it removes. Every other file must stay byte-identical. A case with neither must leave
its input untouched. An optional `args` file holds extra command-line options. A case whose
input must be refused has an `expected-error` file: the `file:line: error: message` line
(relative to the project) the refusal must print; it exits 3 and writes nothing.
"""

from __future__ import annotations

import filecmp
import itertools
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.cli import run
from migrator.entries import run_dir
from migrator.model import PROJECT
from migrator.pipeline import analyze
from migrator.readers.ci import shell_view
from migrator.readers.docs import documented_commands
from migrator.settings import Settings
from migrator.verify.run import python_argv

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"


def _input(case: Path) -> Path:
    source = case / "source"
    if source.exists():
        return ROOT / source.read_text().strip()
    return case / "input"


def _tree(root: Path) -> dict[str, bytes]:
    out = {}
    for here, _dirs, files in os.walk(root):
        for name in files:
            p = Path(here) / name
            out[str(p.relative_to(root))] = p.read_bytes()
    return out


def _expected(case: Path, before: dict[str, bytes]) -> dict[str, bytes]:
    want = dict(before)
    deleted = case / "deleted"
    for name in deleted.read_text().split() if deleted.exists() else ():
        del want[name]
    expected = case / "expected"
    if expected.exists():
        want.update(_tree(expected))
    return want


def _changes(case: Path) -> bool:
    return (case / "expected").exists() or (case / "deleted").exists()


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir())


def _project(case: Path, tmp_path: Path) -> Path:
    project = tmp_path / case.name
    shutil.copytree(_input(case), project, symlinks=True)
    return project


def _args(case: Path) -> list[str]:
    f = case / "args"
    return shlex.split(f.read_text()) if f.exists() else []


def _refusal(case: Path) -> str | None:
    f = case / "expected-error"
    return f.read_text().strip() if f.exists() else None


@pytest.mark.parametrize("case", [c for c in _cases() if _refusal(c) is not None],
                         ids=lambda p: p.name)
@pytest.mark.parametrize("mode", [[], ["--check"], ["--dry-run"]], ids=["write", "check", "dry"])
def test_bad_input_is_refused_with_its_line(case: Path, mode: list[str], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A refused case exits 3 in every mode, prints the expected located error and writes
    nothing."""
    project = _project(case, tmp_path)
    before = _tree(project)
    capsys.readouterr()
    assert run([*mode, *_args(case), str(project)]) == 3
    errors = [line.replace(f"{project}/", "") for line in capsys.readouterr().err.splitlines()
              if ": error: " in line]
    assert _refusal(case) in errors, errors
    assert _tree(project) == before


def _accepted() -> list[Path]:
    return [c for c in _cases() if _refusal(c) is None]


@pytest.mark.parametrize("case", _accepted(), ids=lambda p: p.name)
def test_migrates_to_expected(case: Path, tmp_path: Path) -> None:
    """Migrating the input gives exactly the expected tree (or leaves it alone)."""
    project = _project(case, tmp_path)
    before = _tree(project)
    code = run([*_args(case), str(project)])
    assert code == 0
    want = _expected(case, before)
    got = _tree(project)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name].decode() == want[name].decode(), name


@pytest.mark.parametrize("case", _accepted(), ids=lambda p: p.name)
def test_second_run_is_a_no_op(case: Path, tmp_path: Path) -> None:
    """Migrating a migrated project changes nothing and says there is nothing to do."""
    project = _project(case, tmp_path)
    assert run([*_args(case), str(project)]) == 0
    after = _tree(project)
    assert run(["--check", *_args(case), str(project)]) == 0
    assert _tree(project) == after


@pytest.mark.parametrize("case", _accepted(), ids=lambda p: p.name)
def test_dry_run_writes_nothing(case: Path, tmp_path: Path) -> None:
    """--dry-run exits 1 when a change would be made, 0 otherwise, and never writes."""
    project = _project(case, tmp_path)
    before = _tree(project)
    code = run(["--dry-run", *_args(case), str(project)])
    assert code == (1 if _changes(case) else 0)
    assert _tree(project) == before


def test_modes_are_kept(tmp_path: Path) -> None:
    """A rewritten build script keeps its executable bit."""
    project = _project(CASES / "seed-literal", tmp_path)
    os.chmod(project / "build.sh", 0o755)
    assert run([str(project)]) == 0
    assert os.stat(project / "build.sh").st_mode & 0o777 == 0o755
    assert filecmp.cmp(project / "Dockerfile",
                       CASES / "seed-literal" / "expected" / "Dockerfile", shallow=False)


# A recording stand-in for the docker client: appends its argv to $DOCKER_LOG and succeeds
# (printing an id where a script captures one). `sudo` runs its command as given.
_FAKE_DOCKER = """#!/bin/sh
printf '%s\\n' "$*" >> "$DOCKER_LOG"
case "$1" in create|run) echo 0123456789ab ;; esac
exit 0
"""
_FAKE_SUDO = """#!/bin/sh
while [ "$#" -gt 0 ]; do case "$1" in -*) shift ;; *=*) export "$1"; shift ;; *) break ;; esac
done
exec "$@"
"""


@pytest.fixture
def fake_docker(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose `docker` only records its arguments, and the log it writes."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    for name, text in (("docker", _FAKE_DOCKER), ("sudo", _FAKE_SUDO)):
        (bin_dir / name).write_text(text)
        os.chmod(bin_dir / name, 0o755)
    log = tmp_path / "docker.log"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "DOCKER_LOG": str(log),
           "LANG": "C.UTF-8"}
    return env, log


def _settings(case: Path) -> Settings:
    """The settings an `args` file asks for (the options golden cases use)."""
    args = _args(case)
    get = dict(itertools.pairwise(args)).get
    target = get("--make-target")
    sets = [v for k, v in itertools.pairwise(args) if k == "--set"]
    return Settings(builder=get("--builder"), entry=get("--entry") or (
        f"make {target}" if target else None),
        overrides=tuple((k, v) for k, _, v in (s.partition("=") for s in sets)))


def _sh(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("case", [c for c in _cases() if _changes(c)], ids=lambda p: p.name)
def test_rewritten_entry_point_runs(case: Path, tmp_path: Path,
                                    fake_docker: tuple[dict[str, str], Path]) -> None:
    """The migrated entry point parses (bash -n / make -n) and runs to its end, its docker
    calls recorded by a fake client, and it still builds an image."""
    env, log = fake_docker
    project = _project(case, tmp_path)
    outcome = analyze(str(project), _settings(case))
    assert outcome.entry is not None
    path, kind, target = outcome.entry
    assert run([*_args(case), str(project)]) == 0
    if kind == "make":
        make = ["make", "-f", path, *([target] if target else [])]
        checked = _sh([*make[:3], "-n", *make[3:]], project, env)
        assert checked.returncode == 0, checked.stderr
        done = _sh(make, project, env)
    elif kind == "python":
        checked = _sh([sys.executable, "-m", "py_compile", path], project, env)
        assert checked.returncode == 0, checked.stderr
        if "docker.from_env" in (project / path).read_text():
            return  # the SDK talks to an engine: run for real by tests/test_python_verify.py
        done = _sh(list(python_argv(path, target)), project, env)
    elif kind == "docs":  # the documented commands, as a reader would run them
        done = _sh(["bash", "-e", "-c", documented_commands(str(project))], project, env)
    elif kind == "ci":  # the job's steps, in order, as the CI system's shell runs them
        view, _ = shell_view(path, (project / path).read_text())
        done = _sh(["bash", "-e", "-c", view], project, env)
    else:  # run from where the analysis read it as run from, as --verify runs it
        checked = _sh(["bash", "-n", path], project, env)
        assert checked.returncode == 0, checked.stderr
        head = (project / path).read_text().split("\n", 1)[0]
        here = project / run_dir(path).removeprefix(PROJECT).lstrip("/")
        done = _sh(["sh" if head.endswith("/sh") else "bash", os.path.relpath(project / path,
                                                                               here)], here, env)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = log.read_text().splitlines() if log.exists() else []
    assert any(c.split()[:1] == ["build"] for c in calls), calls


def test_make_builder_still_builds_the_builder(tmp_path: Path,
                                               fake_docker: tuple[dict[str, str], Path]) -> None:
    """`make builder`, whose whole recipe was the builder build, builds the builder stage."""
    env, log = fake_docker
    project = _project(CASES / "make-prereqs", tmp_path)
    assert run([str(project)]) == 0
    done = _sh(["make", "builder"], project, env)
    assert done.returncode == 0, done.stderr
    assert log.read_text().split()[:3] == ["build", "--target", "builder"]


def test_a_script_given_by_path_is_read_from_where_it_runs(tmp_path: Path) -> None:
    """`--entry docker/build.sh` is read from docker/, as discovery reads the script and as
    --verify runs it: the same plan as `--entry 'cd docker && ./build.sh'`."""
    project = _project(CASES / "read-entry-cd-dir", tmp_path)
    plans = [analyze(str(project), Settings(entry=e)).plan
             for e in ("docker/build.sh", "cd docker && ./build.sh")]
    assert plans[0] is not None and plans[1] is not None
    assert plans[0].changes == plans[1].changes


@pytest.mark.parametrize("cli", ["podman", "nerdctl"])
def test_a_docker_compatible_cli_is_read_as_docker(tmp_path: Path, cli: str) -> None:
    """podman and nerdctl take docker's commands: found, migrated, and the build keeps its
    program."""
    p = tmp_path / "p"
    p.mkdir()
    (p / "Dockerfile.build").write_text("FROM golang:1.21\nRUN go build -o /app .\n")
    (p / "Dockerfile").write_text("FROM alpine:3.18\nCOPY app /usr/bin/app\n")
    (p / "build.sh").write_text(f"#!/bin/sh\nset -e\n{cli} build -t b -f Dockerfile.build .\n"
                                f"{cli} create --name x b\n{cli} cp x:/app ./app\n{cli} rm x\n"
                                f"{cli} build -t app .\n")
    out = analyze(str(p), Settings())
    assert out.plan is not None, out.problems
    new = {c.path: c.new for c in out.plan.changes}
    assert new["build.sh"] == f"#!/bin/sh\nset -e\n{cli} build -t app .\n"
