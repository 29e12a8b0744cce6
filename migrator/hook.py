"""The pre-commit hook: `migrate-hook FILE...` (the files of the commit, from pre-commit).

It dry-runs only the projects that a changed Dockerfile, build script or Makefile belongs to
(in a monorepo, only those), prints their diff and fails (exit 1) while one still has a builder
pattern. A commit that touches no such file costs a bare interpreter start: nothing else is
imported, nothing is read. Files of a project with no builder pattern are never parsed.
"""

from __future__ import annotations

import os
import sys


def _relevant(path: str) -> bool:
    name = os.path.basename(path)
    return (name.startswith(("Dockerfile", "Containerfile")) or name.endswith(
        (".Dockerfile", ".dockerfile", ".sh", ".dockerignore")) or name in (
        "Makefile", "makefile", "GNUmakefile", "build", "Buildfile"))


def _project(directory: str, top: str, cache: dict[str, str | None]) -> str | None:
    """The nearest directory from `directory` up to `top` that is a legacy project."""
    from migrator.fleet.find import project_root

    here = directory
    while True:
        if here not in cache:
            cache[here] = project_root(here)
        if cache[here] is not None:
            return cache[here]
        if os.path.abspath(here) == top or not here or here == ".":
            return None
        here = os.path.dirname(here) or "."


def projects(files: list[str]) -> list[str]:
    top = os.path.abspath(".")
    cache: dict[str, str | None] = {}
    found: list[str] = []
    for f in files:
        if not _relevant(f):
            continue
        p = _project(os.path.dirname(os.path.normpath(f)) or ".", top, cache)
        if p is not None and p not in found:
            found.append(p)
    return found


def main(argv: list[str] | None = None) -> int:
    todo = projects(list(sys.argv[1:] if argv is None else argv))
    if not todo:
        return 0
    from migrator.cli import run

    return run(["--dry-run", *sorted(todo)])


if __name__ == "__main__":
    sys.exit(main())
