"""Find the legacy projects under a tree (`--recursive`) and pick a shard of them.

A project is the directory its entry point works from: the directory of a build script or
Makefile whose text shows a builder pattern, or that directory's parent when the script lives in
a scripts directory (`scripts/`, `hack/`, `ci/` ...) and either changes to `..` or has no
Dockerfile beside it. Only files named like entry points are read, and only to the cheap text
check; nothing is parsed here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from migrator.discover import shows_pattern

_SKIP = {".git", ".hg", ".svn", "node_modules", "vendor", ".venv", "__pycache__", ".tox"}
_SCRIPT_DIRS = {"scripts", "script", "hack", "build", "ci", "tools", "bin"}
_MAKEFILES = {"GNUmakefile", "makefile", "Makefile"}
# `cd "$(dirname "$0")/.."`, `cd "${BASH_SOURCE%/*}/.."`, `cd ..`: the script works one up.
_CD_UP = re.compile(r"""^\s*cd\s+["']?(?:\$\(dirname\s+["']?\$(?:0|\{?BASH_SOURCE[^)]*)["']?\)"""
                    r"""|\$\{BASH_SOURCE[^}]*\}|\$\{0%/\*\})?/?\.\.["']?/?\s*(?:$|[;&|#])""",
                    re.MULTILINE)


def is_entry_name(name: str) -> bool:
    return name.endswith(".sh") or name in _MAKEFILES or name in ("build", "Buildfile")


def _has_dockerfile(names: list[str]) -> bool:
    return any(n.startswith("Dockerfile") or n.endswith(".Dockerfile") for n in names)


def project_of(script_dir: str, text: str, names: list[str]) -> str:
    """The directory an entry point in `script_dir` (with sibling `names`) works from."""
    if os.path.basename(script_dir) in _SCRIPT_DIRS and (
            _CD_UP.search(text) or not _has_dockerfile(names)):
        return os.path.dirname(script_dir) or "."
    return script_dir


def _read(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""  # unreadable entry points surface when the project itself is analysed


def project_root(directory: str) -> str | None:
    """`directory` if an entry point in it, or in one of its scripts directories, shows a
    builder pattern and works from it; else None. Reads only files named like entry points."""
    try:
        names = os.listdir(directory)
    except OSError:
        return None
    places = [(directory, names)]
    for sub in sorted(_SCRIPT_DIRS & set(names)):
        try:
            places.append((os.path.join(directory, sub), os.listdir(os.path.join(directory, sub))))
        except OSError:
            continue
    for here, entries in places:
        for name in sorted(entries):
            if not is_entry_name(name) or not os.path.isfile(os.path.join(here, name)):
                continue
            text = _read(os.path.join(here, name))
            if shows_pattern(text) and os.path.normpath(project_of(here, text, entries)) == \
                    os.path.normpath(directory):
                return directory
    return None


def find_projects(top: str) -> list[str]:
    """Every project under `top` (itself included) whose entry point shows a builder pattern."""
    found: set[str] = set()
    for here, subdirs, names in os.walk(top):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP)
        for name in names:
            if not is_entry_name(name):
                continue
            text = _read(os.path.join(here, name))
            if shows_pattern(text):
                found.add(os.path.normpath(project_of(here, text, names)))
    return sorted(found)


def collect(paths: list[str], recursive: bool,
            meanwhile: Callable[[], None] | None = None) -> list[str]:
    """The projects a run covers, in a stable order, each once (by real path). With
    `meanwhile`, a forked child walks the trees while `meanwhile` runs here."""
    if meanwhile is None or not recursive:
        if meanwhile is not None:
            meanwhile()
        return _collect(paths, recursive)
    waiting = _aside(lambda: _collect(paths, recursive))
    meanwhile()
    found = waiting()
    return found if found is not None else _collect(paths, recursive)


def _collect(paths: list[str], recursive: bool) -> list[str]:
    """One walk finds each directory once (it follows no symbolic link), so only several paths
    need real paths."""
    if len(paths) == 1:
        return find_projects(paths[0]) if recursive else list(paths)
    out: list[str] = []
    seen: set[str] = set()
    for path in paths:
        for project in (find_projects(path) if recursive else [path]):
            real = os.path.realpath(project)
            if real not in seen:
                seen.add(real)
                out.append(project)
    return out


def _aside(walk: Callable[[], list[str]]) -> Callable[[], list[str] | None]:
    """Run `walk` in a forked child; the function returned waits for its list (None when the
    child failed: the caller walks again itself)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: walk, write the list, leave without any clean-up of the parent's
        code = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                out.write("\0".join(walk()).encode("utf-8", "surrogateescape"))
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)

    def wait() -> list[str] | None:
        with os.fdopen(read_end, "rb") as f:
            data = f.read()
        if os.waitpid(pid, 0)[1] != 0:
            return None
        return data.decode("utf-8", "surrogateescape").split("\0") if data else []

    return wait


def shard(projects: list[str], k: int, n: int) -> list[str]:
    """Part K of N (1-based): every Nth project of the sorted list, so that N CI jobs given the
    same tree and arguments cover each project exactly once."""
    ordered = sorted(projects, key=lambda p: os.path.normpath(p))
    return [p for i, p in enumerate(ordered) if i % n == k - 1]
