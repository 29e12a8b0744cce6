"""`--git-branch`: one branch and one commit per repository; `--git-push`: push it.

Checked before anything is written: a repository with uncommitted changes, a detached HEAD,
or a branch of that name already is refused (its projects are reported, not touched). After the
run, each repository whose projects were written gets the branch, with the written files
committed and a message that says what moved where.
"""

from __future__ import annotations

import os
import subprocess
from collections import defaultdict

from migrator.pipeline import Status
from migrator.problems import error
from migrator.report import Entry


class GitError(Exception):
    pass


def _git(repo: str, *args: str) -> str:
    done = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, check=False)
    if done.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def check_branch_name(name: str) -> str | None:
    done = subprocess.run(["git", "check-ref-format", "--branch", name], capture_output=True,
                          text=True, check=False)
    return None if done.returncode == 0 else "not a valid branch name"


def repo_of(project: str) -> str | None:
    try:
        return _git(project, "rev-parse", "--show-toplevel").strip()
    except GitError:
        return None


def _refusal(repo: str, branch: str) -> str | None:
    if _git(repo, "status", "--porcelain", "--untracked-files=normal").strip():
        return (f"{repo}: uncommitted changes (see git status); commit or stash them, then "
                "run again")
    head = subprocess.run(["git", "-C", repo, "symbolic-ref", "-q", "HEAD"],
                          capture_output=True, text=True, check=False)
    if head.returncode != 0:
        return f"{repo}: detached HEAD; check out a branch first"
    exists = subprocess.run(["git", "-C", repo, "rev-parse", "--verify", "-q",
                             f"refs/heads/{branch}"], capture_output=True, check=False)
    if exists.returncode == 0:
        return f"{repo}: branch {branch} exists already"
    return None


def preflight(projects: list[str], branch: str) -> tuple[list[Entry], list[str]]:
    """Refuse the projects that are in no repository or in one that cannot take the branch."""
    refused: list[Entry] = []
    ok: list[str] = []
    verdicts: dict[str, str | None] = {}
    for p in projects:
        repo = repo_of(p)
        if repo is None:
            why: str | None = f"{p}: not in a git repository (--git-branch)"
        else:
            if repo not in verdicts:
                verdicts[repo] = _refusal(repo, branch)
            why = verdicts[repo]
        if why is None:
            ok.append(p)
        else:
            refused.append(Entry(p, Status.FAILED, "git", problems=(error(None, why),)))
    return refused, ok


def commit_message(entries: list[Entry], repo: str, verified: bool) -> str:
    lines = ["Migrate to multi-stage Dockerfiles (migrator)", ""]
    for e in entries:
        where = os.path.relpath(os.path.abspath(e.project), repo)
        lines.append(f"{where}: {e.script}")
        for a in e.data.get("artifacts", []):
            lines.append(f"  {a['builder']}:{a['source'] or '(output)'} -> {a['host']} "
                         f"({a['how']}, {a['provenance']}) now COPY --from a build stage")
        for c in e.data.get("changes", []):
            lines.append(f"  {c['action']} {c['path']}")
        if verified and e.verification is not None:
            v = e.verification
            lines.append(f"  verified ({v.get('builder')}): {v.get('status')}: "
                         f"{v.get('message')}")
        elif not verified:
            lines.append("  not verified (run with --verify to build both and compare)")
    return "\n".join(lines) + "\n"


def _paths(entry: Entry, repo: str) -> list[str]:
    base = os.path.relpath(os.path.abspath(entry.project), repo)
    return [os.path.normpath(os.path.join(base, c["path"])) for c in entry.data["changes"]]


def commit_all(entries: list[Entry], branch: str, remote: str | None, *, verified: bool) -> None:
    """Commit each repository's written projects on `branch` (and push it)."""
    by_repo: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.written:
            repo = repo_of(e.project)
            if repo is not None:
                by_repo[repo].append(e)
    for repo, group in sorted(by_repo.items()):
        try:
            _git(repo, "switch", "-q", "-c", branch)
            _git(repo, "add", "-A", "--", *(p for e in group for p in _paths(e, repo)))
            _git(repo, "commit", "-q", "-m", commit_message(group, repo, verified))
            if remote is not None:
                _git(repo, "push", "-q", "--set-upstream", remote, branch)
        except GitError as exc:
            for e in group:
                e.fail("git", error(None, f"{repo}: {exc}"))
