"""--git-branch / --git-push: one branch and one commit per repository, saying what moved
where; dirty or detached repositories refused with a clear message; the push lands in a (local,
bare) remote."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from migrator.cli import run

ROOT = Path(__file__).resolve().parent.parent.parent
SEED = ROOT / "tests" / "cases" / "seed-literal" / "input"
HREF = ROOT / "samples" / "href-counter"
VOLUME = ROOT / "samples" / "volume-cp"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def clone_of(src: Path, repo: Path, *more: tuple[Path, str]) -> Path:
    """A git repository holding `src` at its root (and each `more` source at its subdir)."""
    shutil.copytree(src, repo, symlinks=True)
    for extra, sub in more:
        shutil.copytree(extra, repo / sub, symlinks=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "fleet@example.com")
    git(repo, "config", "user.name", "Fleet Test")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "legacy build")
    return repo


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_one_branch_and_commit_per_repository(here: Path) -> None:
    """A monorepo with two flows gets one commit with both; each says what moved where; the
    working tree is clean afterwards, on the new branch."""
    mono = clone_of(SEED, here / "clones" / "mono", (VOLUME, "tools/volume"))
    single = clone_of(HREF, here / "clones" / "single")
    assert run(["-q", "-r", "clones", "--git-branch", "migrate/multi-stage"]) == 0
    for repo in (mono, single):
        assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "migrate/multi-stage"
        assert git(repo, "status", "--porcelain") == ""
        assert git(repo, "rev-list", "--count", "main..HEAD").strip() == "1"
        assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"
    message = git(mono, "log", "-1", "--format=%B")
    assert ".: build.sh" in message and "tools/volume: build.sh" in message
    assert "/go/src/github.com/alexellis/href-counter/app -> app (cp, build.sh:8)" in message
    assert "acme/tool-builder:/out -> dist (volume, build.sh:12)" in message
    assert "not verified" in message
    changed = git(mono, "show", "--name-status", "--format=", "HEAD").split("\n")
    assert "D\tDockerfile.build" in changed


def test_a_dirty_or_detached_repository_is_refused_and_untouched(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Uncommitted changes or a detached HEAD: the repository's projects are refused with the
    reason, nothing is written there; the other repositories still get their branch."""
    dirty = clone_of(SEED, here / "clones" / "dirty")
    (dirty / "notes.txt").write_text("work in progress\n")
    detached = clone_of(SEED, here / "clones" / "detached")
    git(detached, "checkout", "-q", "--detach")
    good = clone_of(HREF, here / "clones" / "good")
    assert run(["-q", "-r", "clones", "--git-branch", "mig"]) == 3
    err = capsys.readouterr().err
    assert "uncommitted changes" in err and "detached HEAD" in err
    assert (dirty / "Dockerfile.build").exists() and (detached / "Dockerfile.build").exists()
    assert git(good, "rev-parse", "--abbrev-ref", "HEAD").strip() == "mig"


def test_git_push_pushes_the_branch_to_the_remote(here: Path) -> None:
    """--git-push REMOTE: the remote (a local bare repository) has the branch and the commit."""
    repo = clone_of(SEED, here / "clones" / "app")
    bare = here / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    git(repo, "remote", "add", "origin", str(bare))
    assert run(["-q", str(repo), "--git-branch", "mig", "--git-push", "origin"]) == 0
    assert git(bare, "rev-parse", "mig") == git(repo, "rev-parse", "HEAD")
    scratch = here / "scratch"
    subprocess.run(["git", "clone", "-q", "-b", "mig", str(bare), str(scratch)], check=True)
    assert not (scratch / "Dockerfile.build").exists()
    assert "AS builder" in (scratch / "Dockerfile").read_text()


def test_git_branch_needs_a_write_run(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--git-branch with --check is a usage error; so is an invalid branch name."""
    clone_of(SEED, here / "app")
    assert run(["--check", "app", "--git-branch", "mig"]) == 2
    assert run(["app", "--git-branch", "bad..name"]) == 2
    assert "not a valid branch name" in capsys.readouterr().err
