"""Find a project's files and the build entry points worth reading.

The only module of the analysis that reads the disk. It reads each file at most once and hands
the texts on; a cheap text check keeps projects with no builder pattern from paying for parsers.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from migrator.model import Loc, Unsupported

_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "vendor", ".venv", "__pycache__"}
_MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
_SCRIPT_DIRS = ("", "scripts", "script", "hack", "build", "ci", "tools", "bin")
# A builder pattern takes files out of a container: cp/create/export, or a run that writes to
# the host (redirection, pipe, bind mount).
_EXTRACTION = re.compile(
    r"docker\b[^\n]*\b(cp|create|export)\b|docker\b[^\n]*\brun\b[^\n]*(>|\||-v\b|--volume|--mount)"
)


@dataclass(frozen=True)
class Project:
    root: str  # absolute directory
    files: frozenset[str]  # project-relative paths of regular files and symlinks
    dirs: frozenset[str]
    candidates: tuple[str, ...]  # build entry points whose text shows a builder pattern


def scan(root: str) -> tuple[frozenset[str], frozenset[str]]:
    files: set[str] = set()
    dirs: set[str] = set()
    for here, subdirs, names in os.walk(root):
        rel_here = os.path.relpath(here, root)
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS)
        for d in subdirs:
            dirs.add(os.path.normpath(os.path.join(rel_here, d)).replace(os.sep, "/"))
        for n in names:
            files.add(os.path.normpath(os.path.join(rel_here, n)).replace(os.sep, "/"))
    return frozenset(files), frozenset(dirs)


def read_text(root: str, rel: str) -> str:
    """A project file's text, refusing paths and symlinks that lead out of the project."""
    real_root = os.path.realpath(root)
    path = os.path.join(root, rel)
    real = os.path.realpath(path)
    if real != real_root and not real.startswith(real_root + os.sep):
        raise Unsupported(Loc(rel, 1), "symlink points outside the project")
    try:
        with open(real, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise Unsupported(None, f"{rel}: file not found") from None
    except IsADirectoryError:
        raise Unsupported(None, f"{rel}: is a directory, not a file") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unsupported(Loc(rel, data.count(b"\n", 0, exc.start) + 1), "not UTF-8 text") from None


def is_candidate_name(rel: str) -> bool:
    head, _, name = rel.rpartition("/")
    if head not in _SCRIPT_DIRS:
        return False
    return name.endswith(".sh") or name in _MAKEFILES or name in ("build", "Buildfile")


def shows_pattern(text: str) -> bool:
    return "docker" in text and "build" in text and _EXTRACTION.search(text) is not None


def discover(root: str) -> tuple[Project, dict[str, str]]:
    """The project and the texts of the candidates (read once, handed on)."""
    if not os.path.isdir(root):
        raise Unsupported(None, f"{root}: not a directory")
    files, dirs = scan(root)
    texts: dict[str, str] = {}
    candidates = []
    for rel in sorted(files):
        if not is_candidate_name(rel):
            continue
        text = read_text(root, rel)
        if shows_pattern(text):
            texts[rel] = text
            candidates.append(rel)
    return Project(os.path.abspath(root), files, dirs, tuple(candidates)), texts
