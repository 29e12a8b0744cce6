"""The batch options of one run (--recursive, --shard, --resume, --git-*, --engine, --report),
checked once and frozen, and the steps of a run they switch on."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from migrator.report import Entry, Report


class OptionError(Exception):
    """A bad option value: a usage error (exit 2)."""


_SHARD = re.compile(r"^([1-9][0-9]*)/([1-9][0-9]*)$")
_REPORT_KINDS = (".json", ".html")
FINISHED = ("migrated", "unchanged", "refused")


@dataclass(frozen=True)
class FleetOptions:
    mode: str
    recursive: bool = False
    quiet: bool = False
    reports: tuple[str, ...] = ()
    resume: str | None = None
    shard: tuple[int, int] | None = None
    git_branch: str | None = None
    git_push: str | None = None
    engines: tuple[str, ...] = ()

    @classmethod
    def build(cls, *, mode: str, verify: bool, recursive: bool, quiet: bool,
              reports: tuple[str, ...], resume: str | None, shard: str | None,
              git_branch: str | None, git_push: str | None,
              engines: tuple[str, ...]) -> FleetOptions:
        for r in reports:
            if not r.endswith(_REPORT_KINDS):
                raise OptionError(f"--report {r}: the name must end in .json or .html")
        parts = None
        if shard is not None:
            m = _SHARD.match(shard)
            if m is None or int(m.group(1)) > int(m.group(2)):
                raise OptionError(f"--shard {shard}: expected K/N with 1 <= K <= N")
            parts = (int(m.group(1)), int(m.group(2)))
        if git_branch is not None and mode != "write":
            raise OptionError("--git-branch commits what is written: not with --check/--dry-run")
        if git_push is not None and git_branch is None:
            raise OptionError("--git-push needs --git-branch")
        if engines and not verify:
            raise OptionError("--engine is where --verify builds: give --verify too")
        if git_branch is not None:
            from migrator.fleet.git import check_branch_name

            problem = check_branch_name(git_branch)
            if problem:
                raise OptionError(f"--git-branch {git_branch}: {problem}")
        return cls(mode, recursive, quiet, tuple(reports), resume, parts, git_branch, git_push,
                   tuple(engines))

    def projects(self, paths: list[str], meanwhile: Callable[[], None] | None = None
                 ) -> tuple[list[str], list[dict[str, Any]]]:
        """The projects to run, and the JSON of those a previous run finished (--resume);
        `meanwhile` runs while the trees are walked."""
        from migrator.fleet.find import collect, shard

        projects = collect(paths, self.recursive, meanwhile)
        if self.shard is not None:
            projects = shard(projects, *self.shard)
        if self.resume is None:
            return projects, []
        finished = _finished(self.resume, self.mode)
        carried = [finished[os.path.normpath(p)] for p in projects
                   if os.path.normpath(p) in finished]
        return [p for p in projects if os.path.normpath(p) not in finished], carried

    def git_preflight(self, projects: list[str]) -> tuple[list[Entry], list[str]]:
        """Entries refusing the projects whose repository cannot take a branch, and the rest."""
        if self.git_branch is None:
            return [], projects
        from migrator.fleet.git import preflight

        return preflight(projects, self.git_branch)

    def git_commit(self, entries: list[Entry], *, verified: bool) -> None:
        if self.git_branch is None:
            return
        from migrator.fleet.git import commit_all

        commit_all(entries, self.git_branch, self.git_push, verified=verified)


def _finished(report_path: str, mode: str) -> dict[str, dict[str, Any]]:
    try:
        with open(report_path, encoding="utf-8") as f:
            doc = json.load(f)
        projects = doc["projects"]
        previous = doc["mode"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OptionError(f"--resume {report_path}: not a migrator JSON report ({exc})") from None
    if previous != mode:
        raise OptionError(f"--resume {report_path}: that was a {previous} run, this is a "
                          f"{mode} run")
    return {os.path.normpath(p["path"]): p for p in projects
            if p.get("category") in FINISHED and not p.get("crashed")
            and p.get("verification", {}).get("status", "equivalent") == "equivalent"}


def write_report(path: str, report: Report) -> None:
    """The report as JSON or as one HTML page, written atomically."""
    doc = report.to_json()
    if path.endswith(".html"):
        from migrator.fleet.html import render_page

        text = render_page(doc)
    else:
        text = json.dumps(doc, indent=2) + "\n"
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
