"""Path relations on the host tree: which path covers which, what a `COPY` source reads."""

from __future__ import annotations

import fnmatch
from collections.abc import Collection

from migrator.model import Artifact


def covers(path: str, host: str) -> bool:
    """`path` is `host` or one of its parent directories (`.` covers everything)."""
    return host == path or host.startswith(path.rstrip("/") + "/") or path == "."


def parents(path: str) -> list[str]:
    out = []
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        out.append(path)
    return out


def matches(source: str, host: str) -> bool:
    """A context path (possibly a glob) reads the host path, or a directory around it."""
    if any(c in source for c in "*?["):
        pattern = source.rstrip("/")
        # A glob inside an extracted directory (`libs/app-*.war` of `docker cp C:/out/libs .`)
        # reads what the artifact holds: the directory's own name is literal.
        return covers(host, source) or fnmatch.fnmatchcase(host, pattern) or any(
            fnmatch.fnmatchcase(p, pattern) for p in parents(host))
    return covers(source, host) or covers(host, source)


def in_project(path: str, files: Collection[str]) -> bool:
    """The path names a project file, or a directory holding some."""
    bare = path.rstrip("/")
    return bare == "." or bare in files or any(f.startswith(bare + "/") for f in files)


def reads_artifact(source: str, a: Artifact, files: Collection[str]) -> bool:
    """A COPY source (project-relative) reads what artifact `a` put on the host.

    A bind-mounted source tree only counts for the paths the build created in it.
    """
    if a.how == "mount" and in_project(a.host, files):
        return covers(a.host, source) and not in_project(source, files)
    return matches(source, a.host)


def only_artifacts(path: str, hosts: set[str], files: Collection[str]) -> bool:
    """True if `path` names artifacts or directories holding only artifacts."""
    if path in hosts or any(covers(h, path) for h in hosts):
        return True
    prefix = path.rstrip("/") + "/"
    if any(h.startswith(prefix) for h in hosts):
        return not any(f.startswith(prefix) for f in files)
    return False
