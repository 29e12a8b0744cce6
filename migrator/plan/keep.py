"""Builder Dockerfiles the migration no longer needs, unless something else uses them.

A compose file, a CI definition, another script or the documentation that names the file (or
the file being the default `Dockerfile`, which `docker build .` and compose's `build: .` read)
keeps it, with a warning naming who uses it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection, Iterable, Mapping

from migrator.model import Loc, Problem, warning

_DEFAULT = ("Dockerfile",)
# Compose and CI files, scripts, documentation (not every .txt: requirements, CMakeLists).
_SUFFIXES = (".yml", ".yaml", ".sh", ".bash", ".mk", ".md", ".rst", ".adoc", ".json", ".toml",
             ".py", ".cfg", ".hcl", ".ps1")
_NAMES = ("Makefile", "makefile", "GNUmakefile", "Jenkinsfile", "Vagrantfile", "Procfile",
          "Taskfile", "justfile", "Earthfile")


def _candidates(files: Collection[str], skip: set[str]) -> list[str]:
    return sorted(f for f in files if f not in skip and (
        posixpath.basename(f) in _NAMES or f.endswith(_SUFFIXES)
        or "/.github/" in f"/{f}" or f.startswith((".circleci/", ".gitlab", ".travis"))))


def _mention(dockerfile: str) -> re.Pattern[str]:
    """How another file names it: by its own name (`Dockerfile.build`), or, for a file whose
    name every Dockerfile has, by its path (`build/Dockerfile`)."""
    base = posixpath.basename(dockerfile)
    name = re.escape(dockerfile if base in _DEFAULT else base)
    return re.compile(r"(?<![\w.-])(?:\./)?" + name + r"(?![\w.-])")


def users(dockerfile: str, files: Collection[str], texts: Mapping[str, str],
          read: Callable[[str], str | None], skip: Collection[str] = ()) -> list[Loc]:
    """Where other files name `dockerfile`: `texts` are the new texts of the files the plan
    changes (what they say after the migration), `read` gives any other file's text; the
    Dockerfiles in `skip` (whose comments may tell the old story) do not count."""
    pattern = _mention(dockerfile)
    found: list[Loc] = []
    for path in [*(t for t in texts if t not in skip),
                 *_candidates(files, {*texts, *skip, dockerfile})]:
        text = texts[path] if path in texts else read(path)
        if not text or "\0" in text[:1024]:
            continue
        m = pattern.search(text)
        if m:
            found.append(Loc(path, text.count("\n", 0, m.start()) + 1))
    return found


def kept_builders(dockerfiles: Iterable[str], files: Collection[str], texts: Mapping[str, str],
                  read: Callable[[str], str | None],
                  skip: Collection[str] = ()) -> tuple[set[str], list[Problem]]:
    """The builder Dockerfiles to keep, and a warning for each saying who uses it."""
    keep: set[str] = set()
    warnings: list[Problem] = []
    for df in dict.fromkeys(dockerfiles):
        where = users(df, files, texts, read, skip)
        default = df in _DEFAULT  # what `docker build .` at the project root reads
        if not where and not default:
            continue
        keep.add(df)
        who = ", ".join(str(w) for w in where[:3]) + (" ..." if len(where) > 3 else "")
        why = f"used by {who}" if where else "the default Dockerfile name (docker build ., " \
                                             "compose build: .)"
        if where and default:
            why += "; also the default Dockerfile name"
        warnings.append(warning(Loc(df, 1), f"kept: {why}; the multi-stage build no longer "
                                            "needs it"))
    return keep, warnings
