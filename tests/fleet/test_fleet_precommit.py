"""The pre-commit hook, run by the real `pre-commit` (try-repo on this repository) in a
temporary git repository: a commit touching a legacy project fails and shows its diff (and only
that project's, in a monorepo); one touching a clean project passes; one touching no
Dockerfile or build script does not run it at all. And the hook's own choice of projects."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.hook import projects

ROOT = Path(__file__).resolve().parent.parent.parent
SEED = ROOT / "tests" / "cases" / "seed-literal" / "input"
PLAIN = ROOT / "tests" / "cases" / "noop-multistage" / "input"
HREF = ROOT / "samples" / "href-counter"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def mono(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A monorepo: two legacy services and a clean one, committed."""
    repo = tmp_path / "mono"
    shutil.copytree(SEED, repo / "services" / "api", symlinks=True)
    shutil.copytree(HREF, repo / "services" / "counter", symlinks=True)
    shutil.copytree(PLAIN, repo / "services" / "web", symlinks=True)
    (repo / "README.md").write_text("# mono\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "hook@example.com")
    git(repo, "config", "user.name", "Hook Test")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    monkeypatch.chdir(repo)
    return repo


def test_hook_picks_only_the_projects_of_changed_build_files(mono: Path) -> None:
    """A changed Dockerfile names its legacy project; a clean project's or a README does not
    (so neither is parsed)."""
    assert projects(["services/api/Dockerfile", "README.md", "services/web/Dockerfile"]) == [
        "services/api"]
    assert projects(["services/counter/build.sh", "services/api/app.go"]) == ["services/counter"]
    assert projects(["README.md", "services/web/Dockerfile"]) == []


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("pre-commit") is None:
        message = "pre-commit is not installed (scripts/test.sh installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return tmp_path_factory.mktemp("pre-commit-home")


def local_hook(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """The real pre-commit, with this repository's hook definition (its files filter and
    pass_filenames) as a local hook running this checkout's `migrator.hook`."""
    import yaml  # pre-commit's own dependency

    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    hook.update(language="system", entry=f"{sys.executable} -m migrator.hook")
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}))
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run(["pre-commit", "run", "--verbose"], cwd=repo, capture_output=True,
                          text=True, timeout=300, env=env)


def test_real_pre_commit_with_the_hook_definition(mono: Path, pre_commit_home: Path) -> None:
    """Under pre-commit with the shipped definition: a staged legacy Dockerfile fails with that
    project's diff only; a staged clean Dockerfile passes; a README-only commit skips it."""
    df = mono / "services" / "api" / "Dockerfile"
    df.write_text(df.read_text() + "# touched\n")
    git(mono, "add", "services")
    legacy = local_hook(mono, pre_commit_home)
    assert legacy.returncode == 1, legacy.stdout + legacy.stderr
    assert "--- a/services/api/Dockerfile" in legacy.stdout
    assert "services/counter" not in legacy.stdout and "services/web" not in legacy.stdout
    git(mono, "commit", "-q", "--no-verify", "-m", "touch api")
    web = mono / "services" / "web" / "Dockerfile"
    web.write_text(web.read_text() + "# touched\n")
    git(mono, "add", "services")
    clean = local_hook(mono, pre_commit_home)
    assert clean.returncode == 0 and "Passed" in clean.stdout, clean.stdout + clean.stderr
    git(mono, "commit", "-q", "--no-verify", "-m", "touch web")
    (mono / "README.md").write_text("# mono, documented\n")
    git(mono, "add", "README.md")
    skipped = local_hook(mono, pre_commit_home)
    assert skipped.returncode == 0 and "Skipped" in skipped.stdout, skipped.stdout


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the hook's own venv
    return subprocess.run(["pre-commit", "try-repo", str(ROOT), "migrator", "--verbose"],
                          cwd=repo, capture_output=True, text=True, timeout=900,
                          env={**env, "PRE_COMMIT_HOME": str(home)})


# Marked `engine` only to keep it out of the pre-land run (`-m "not engine"`): it installs
# migrator into pre-commit's own virtualenv from the package registry (1-2 minutes on a busy
# machine); it needs no Docker engine, and CI runs it with the engine tests.
@pytest.mark.engine
def test_real_pre_commit_fails_on_a_legacy_project_and_passes_a_clean_one(
        mono: Path, pre_commit_home: Path) -> None:
    """try-repo (the hook installed as users install it): staged change in a legacy service:
    exit 1 with that service's diff only; in the clean service: passes; README only: skipped."""
    df = mono / "services" / "api" / "Dockerfile"
    df.write_text(df.read_text() + "# touched\n")
    git(mono, "add", "-A")
    legacy = try_repo(mono, pre_commit_home)
    assert legacy.returncode == 1, legacy.stdout + legacy.stderr
    assert "--- a/services/api/Dockerfile" in legacy.stdout
    assert "+FROM golang:1.7.3 AS builder" in legacy.stdout
    assert "services/counter" not in legacy.stdout and "services/web" not in legacy.stdout
    git(mono, "commit", "-q", "-m", "touch api")

    web = mono / "services" / "web" / "Dockerfile"
    web.write_text(web.read_text() + "# touched\n")
    git(mono, "add", "-A")
    clean = try_repo(mono, pre_commit_home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
    git(mono, "commit", "-q", "-m", "touch web")

    (mono / "README.md").write_text("# mono, documented\n")
    git(mono, "add", "-A")
    skipped = try_repo(mono, pre_commit_home)
    assert skipped.returncode == 0 and "Skipped" in skipped.stdout, skipped.stdout
