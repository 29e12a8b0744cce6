"""Assembled build contexts: a temporary directory filled with `cp` and then built.

    TMP=$(mktemp -d)
    cp Dockerfile.run "$TMP/Dockerfile"
    cp bin/app "$TMP"/
    docker build -t app "$TMP"
    rm -rf "$TMP"

`resolve` follows the copies into the temporary directory, so the build's Dockerfile and every
`COPY` source trace back to the project file (or extracted artifact) they came from. The
multi-stage build then uses the project as its one context, and the staging steps are dead.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import replace

from migrator.interpret import project_rel
from migrator.model import BuildOp, Command, CpOp, DockerOp, HostOp, Unsupported
from migrator.readers.words import host_path


def _path(value: str, cmd: Command) -> str:
    joined = host_path(value, cmd.cwd).rstrip("/").removesuffix("/.")
    return project_rel(joined) or joined


def resolve(ops: Sequence[DockerOp]) -> tuple[list[DockerOp], list[Command], set[str]]:
    """The operations with staged builds traced back to the project, the staging steps, and the
    temporary directories."""
    temps: set[str] = set()  # temporary directories, as paths look in this model
    staged: dict[str, str] = {}  # path in a temporary directory -> the project path copied there
    dead: list[Command] = []

    def temp_of(path: str) -> str | None:
        return next((t for t in temps if path == t or path.startswith(t + "/")), None)

    out: list[DockerOp] = []
    for op in ops:
        if isinstance(op, HostOp) and op.tool == "mktemp" and op.cmd.captured:
            temps.add("${" + op.cmd.captured + "}")
            dead.append(op.cmd)
            continue
        if isinstance(op, HostOp) and op.tool == "mkdir":
            paths = [_path(a, op.cmd) for a in op.args if not a.startswith("-")]
            if paths and all(p.startswith("/tmp/") for p in paths):
                temps.update(paths)
                dead.append(op.cmd)
                continue
        if isinstance(op, HostOp) and op.tool in ("cp", "mv") and temps:
            args = [a for a in op.args if not a.startswith("-")]
            if len(args) >= 2 and temp_of(_path(args[-1], op.cmd)):
                dest = _path(args[-1], op.cmd)
                into = len(args) > 2 or args[-1].endswith("/") or dest in temps
                for src in args[:-1]:
                    source = _path(src, op.cmd)
                    if src.endswith("/.") or src == ".":
                        staged[dest] = source.removesuffix("/.")
                    else:
                        staged[posixpath.join(dest, posixpath.basename(source)) if into
                               else dest] = source
                dead.append(op.cmd)
                continue
        if isinstance(op, HostOp) and op.tool in ("rm", "rmdir") and temps:
            paths = [_path(a, op.cmd) for a in op.args if not a.startswith("-")]
            if paths and all(temp_of(p) for p in paths):
                dead.append(op.cmd)
                continue
        if isinstance(op, BuildOp) and temp_of(op.context):
            if temp_of(project_rel(op.cmd.cwd) or op.cmd.cwd):
                raise Unsupported(op.cmd.loc, "the final build runs inside the temporary "
                                              "directory; not supported yet")
            dockerfile = trace(op.dockerfile, staged)
            if temp_of(dockerfile):
                raise Unsupported(op.cmd.loc, f"{op.dockerfile} is written into the temporary "
                                              "context by something other than cp")
            op = replace(op, dockerfile=dockerfile,
                         staged=tuple(sorted(staged.items(), key=lambda kv: -len(kv[0]))))
        elif isinstance(op, CpOp) and op.container is None:
            pass
        out.append(op)
    return out, dead, temps


def trace(path: str, staged: dict[str, str] | Sequence[tuple[str, str]]) -> str:
    """Where a path in a temporary context came from (the longest staged prefix wins)."""
    items = staged.items() if isinstance(staged, dict) else staged
    for key, source in sorted(items, key=lambda kv: -len(kv[0])):
        if path == key:
            return source
        if path.startswith(key + "/"):
            return posixpath.join(source, path[len(key) + 1 :])
    return path
