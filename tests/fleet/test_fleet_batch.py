"""Many projects in one run: --recursive, --jobs, --shard, --resume, the summary table, the
progress bar, and one project's crash never stopping the others."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.cli import run
from migrator.fleet.find import collect, find_projects, shard

ROOT = Path(__file__).resolve().parent.parent.parent
SEED = ROOT / "tests" / "cases" / "seed-literal" / "input"
PLAIN = ROOT / "tests" / "cases" / "noop-multistage" / "input"
SAMPLES = ROOT / "samples"


def copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    return dest


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def monorepo(root: Path) -> Path:
    """Two flows in services/, one whose script lives in scripts/ (run from the project
    root), and a clean project."""
    copy(SEED, root / "services" / "api")
    copy(SAMPLES / "href-counter", root / "services" / "web")
    tool = copy(SEED, root / "tools" / "cli")
    (tool / "scripts").mkdir()
    (tool / "build.sh").rename(tool / "scripts" / "build.sh")
    copy(PLAIN, root / "services" / "clean")
    return root


def test_recursive_finds_each_flow_of_a_monorepo_and_only_legacy_ones(here: Path) -> None:
    """Every directory an entry point with a builder pattern works from is a project; a
    scripts/ directory with no Dockerfile names its parent; clean projects are not listed."""
    monorepo(here / "mono")
    assert find_projects("mono") == ["mono/services/api", "mono/services/web", "mono/tools/cli"]


def test_a_script_that_changes_to_its_parent_works_from_there() -> None:
    """`cd "$(dirname "$0")/.."` in ci/build.sh makes the parent the project, even when ci/
    has a Dockerfile of its own."""
    from migrator.fleet.find import project_of

    for cd in ('cd "$(dirname "$0")/.."', "cd $(dirname $0)/..", 'cd "${BASH_SOURCE%/*}/.."',
               "cd .. || exit 1"):
        assert project_of("repo/ci", f"#!/bin/sh\n{cd}\n", ["Dockerfile"]) == "repo", cd
    assert project_of("repo/ci", "#!/bin/sh\ncd ../other\n", ["Dockerfile"]) == "repo/ci"
    assert project_of("repo/app", "#!/bin/sh\ncd ..\n", []) == "repo/app"


def test_paths_and_recursive_combine_without_duplicates(here: Path) -> None:
    """A project given directly and found under a tree is run once."""
    monorepo(here / "mono")
    copy(SEED, here / "clones" / "one")
    found = collect(["mono/services/api", "mono", "clones"], recursive=True)
    assert found == ["mono/services/api", "mono/services/web", "mono/tools/cli", "clones/one"]


def test_shards_partition_the_list() -> None:
    """The N shards of a list are disjoint, cover it, and do not depend on the given order."""
    projects = [f"repos/p{i:03d}" for i in range(23)]
    parts = [shard(projects, k, 4) for k in range(1, 5)]
    assert sorted(p for part in parts for p in part) == projects
    assert shard(list(reversed(projects)), 2, 4) == parts[1]


def test_recursive_run_migrates_every_project_with_jobs(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`migrate -r -j 2 TREE` writes every project of the tree and prints the table."""
    monorepo(here / "mono")
    assert run(["-r", "-j", "2", "mono"]) == 0
    for p in ("services/api", "services/web", "tools/cli"):
        assert not (here / "mono" / p / "Dockerfile.build").exists(), p
    err = capsys.readouterr().err
    assert "migrated          3" in err
    assert err.splitlines()[-1] == "migrated 3 projects"


def test_jobs_give_the_same_report_as_one_process(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--jobs 2 and --jobs 1 report the same projects, in the same order, with the same diffs."""
    for name in sorted(os.listdir(SAMPLES)):
        copy(SAMPLES / name, here / "repos" / name)
    docs = []
    for jobs in ("1", "2"):
        run(["--json", "--check", "-r", "-j", jobs, "repos"])
        docs.append(json.loads(capsys.readouterr().out))
    assert docs[0] == docs[1]
    assert len(docs[0]["projects"]) == len(os.listdir(SAMPLES))


def test_a_crash_in_one_project_does_not_stop_the_others(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A project that makes migrator raise is reported as crashed (exit 5); the rest run."""
    broken = copy(SEED, here / "broken")
    (broken / "Dockerfile").unlink()
    (broken / "Dockerfile").symlink_to("Dockerfile")  # a loop: reading it raises ELOOP
    copy(SEED, here / "good")
    assert run(["-j", "2", "broken", "good"]) == 5
    err = capsys.readouterr().err
    assert "broken: error: migrator crashed: OSError" in err
    assert not (here / "good" / "Dockerfile.build").exists()


def test_resume_skips_what_a_previous_run_finished(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Projects the --resume report finished are carried over, not run again."""
    copy(SEED, here / "repos" / "a")
    copy(SEED, here / "repos" / "b")
    assert run(["--check", "-r", "repos", "--report", "first.json", "--shard", "1/2"]) == 1
    capsys.readouterr()
    assert run(["--json", "--check", "-r", "repos", "--resume", "first.json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [p["path"] for p in doc["projects"]] == ["repos/a", "repos/b"]
    assert "1 project finished by an earlier run" in doc["summary"]


def test_resume_of_another_mode_is_a_usage_error(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A --check report cannot tell a write run what was written."""
    copy(SEED, here / "a")
    run(["--check", "a", "--report", "r.json"])
    assert run(["a", "--resume", "r.json"]) == 2
    assert "that was a check run" in capsys.readouterr().err


def _stderr_on_a_terminal(args: list[str], cwd: Path) -> str:
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "migrator", *args], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=slave,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait()
    os.close(master)
    return b"".join(chunks).decode()


def test_progress_bar_only_on_a_terminal_and_never_under_json(here: Path) -> None:
    """stderr a terminal: a progress bar; --json or --quiet: none; a pipe: none."""
    for i in range(3):
        copy(SEED, here / "repos" / f"p{i}")
    assert "3/3 projects" in _stderr_on_a_terminal(["--check", "-r", "repos"], here)
    assert "3/3 projects" not in _stderr_on_a_terminal(["--json", "--check", "-r", "repos"], here)
    assert "3/3 projects" not in _stderr_on_a_terminal(["-q", "--check", "-r", "repos"], here)
    piped = subprocess.run([sys.executable, "-m", "migrator", "--check", "-r", "repos"],
                           cwd=here, capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "3/3 projects" not in piped.stderr and "migrated" in piped.stderr
