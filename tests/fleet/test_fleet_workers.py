"""How a batch hands out its work: the walk in a child while the parent loads the analysis, the
analysis loaded once before the workers fork, and chunks that shrink towards the end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.fleet import find
from migrator.fleet.runner import chunks

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLES = ROOT / "samples"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("href-counter", "make-cat-chmod", "volume-cp"):
        shutil.copytree(SAMPLES / name, tmp_path / "repos" / name, symlinks=True)
    return tmp_path / "repos"


def test_the_walk_runs_in_a_child_while_the_parent_does_its_own_work(
        tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walkers = tmp_path / "walkers"
    real = find.find_projects

    def recording(top: str) -> list[str]:
        with open(walkers, "a") as f:
            f.write(f"{os.getpid()}\n")
        return real(top)

    monkeypatch.setattr(find, "find_projects", recording)
    ran = []
    found = find.collect([str(tree)], True, meanwhile=lambda: ran.append(os.getpid()))
    assert found == real(str(tree))
    assert len(found) == 3
    assert ran == [os.getpid()]
    assert walkers.read_text().split() != [str(os.getpid())]  # walked by another process


def test_a_walk_that_fails_in_the_child_is_done_again_here(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent, real = os.getpid(), find.find_projects

    def failing_in_child(top: str) -> list[str]:
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        return real(top)

    monkeypatch.setattr(find, "find_projects", failing_in_child)
    assert find.collect([str(tree)], True, meanwhile=lambda: None) == real(str(tree))


def test_a_project_list_with_odd_names_crosses_the_pipe_whole(tmp_path: Path) -> None:
    odd = tmp_path / "r" / "näme with space\udcff"
    shutil.copytree(SAMPLES / "href-counter", odd, symlinks=True)
    assert find.collect([str(tmp_path / "r")], True, meanwhile=lambda: None) == [str(odd)]


def test_warm_loads_what_a_shell_project_needs_and_no_more() -> None:
    """After `warm`, analysing the plain shell sample imports no further migrator module, and
    `warm` imports none that this analysis would not (no Make or Python reader)."""
    code = (
        "import json, sys\n"
        "from migrator.fleet.work import Job, examine, warm\n"
        "from migrator.settings import Settings\n"
        "def ours(): return {m for m in sys.modules if m.split('.')[0] in"
        " ('migrator', 'libcst', 'tree_sitter_make', 'jinja2', 'dockerfile_parse')}\n"
        "before = ours()\n"
        "if sys.argv[1] == 'warm': warm()\n"
        "warmed = ours()\n"
        f"examine({str(SAMPLES / 'href-counter')!r}, Job(Settings(), 'check', False, False))\n"
        "print(json.dumps({'warm': sorted(warmed - before), 'then': sorted(ours() - warmed)}))\n")

    def modules(mode: str) -> dict[str, list[str]]:
        out = subprocess.run([sys.executable, "-c", code, mode], check=True,
                             capture_output=True, text=True, cwd=ROOT).stdout
        return json.loads(out)

    warmed, cold = modules("warm"), modules("cold")
    assert warmed["warm"], "warm loads the analysis"
    assert warmed["then"] == []
    assert set(warmed["warm"]) <= set(cold["then"])


def test_chunks_cover_the_list_in_order_and_shrink_to_single_projects() -> None:
    paths = [f"p{i:04d}" for i in range(1000)]
    parts = chunks(paths, 2)
    assert [p for c in parts for p in c] == paths
    sizes = [len(c) for c in parts]
    assert max(sizes) == 32 and sizes == sorted(sizes, reverse=True)
    assert sizes[-16:] == [1] * 16
    assert len(parts) < 100  # few round trips
    assert chunks(["a"], 4) == [["a"]]
    assert chunks([], 2) == []


def test_one_project_with_nothing_to_migrate_loads_no_analysis(tmp_path: Path) -> None:
    """The batch preloading is for batches: `--check` on one clean project (the CI and hook
    case) still imports no analysis module, with or without --jobs."""
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "Dockerfile").write_text("FROM scratch\nCOPY app /app\n")
    (clean / "build.sh").write_text("#!/bin/sh\ndocker build -t app .\n")
    code = ("import sys\nfrom migrator.cli import run\n"
            "code = run(sys.argv[1:])\n"
            "print(code, sorted(m for m in ('migrator.entries', 'migrator.infer', 'jinja2')"
            " if m in sys.modules))\n")
    for jobs in ([], ["-j", "2"]):
        out = subprocess.run([sys.executable, "-c", code, "--check", "-q", *jobs, str(clean)],
                             check=True, capture_output=True, text=True, cwd=ROOT).stdout
        assert out.splitlines()[-1] == "0 []", jobs
