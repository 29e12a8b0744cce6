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

from migrator.interpret import STDIN, project_rel
from migrator.model import BuildOp, Command, CpOp, DockerOp, HostOp, Unsupported
from migrator.readers.words import host_path


def _path(value: str, cmd: Command) -> str:
    joined = host_path(value, cmd.cwd).rstrip("/").removesuffix("/.")
    return project_rel(joined) or joined


class _Staging:
    """The temporary directories seen so far and what was copied into them."""

    def __init__(self) -> None:
        self.temps: set[str] = set()  # temporary directories, as paths look in this model
        self.staged: dict[str, str] = {}  # path in a temporary dir -> the project path copied
        self.dead: list[Command] = []

    def temp_of(self, path: str) -> str | None:
        return next((t for t in self.temps if path == t or path.startswith(t + "/")), None)

    def host(self, op: HostOp) -> bool:
        """Apply a host step; True if it only served the temporary context (it is dead)."""
        paths = [_path(a, op.cmd) for a in op.args if not a.startswith("-")]
        if op.tool == "mktemp" and op.cmd.captured:
            self.temps.add("${" + op.cmd.captured + "}")
        elif op.tool == "mkdir" and paths and all(p.startswith("/tmp/") for p in paths):
            self.temps.update(paths)
        elif op.tool in ("cp", "mv") and len(paths) >= 2 and self.temp_of(paths[-1]):
            self.copy(op, [a for a in op.args if not a.startswith("-")])
        elif op.tool in ("rm", "rmdir") and paths and all(self.temp_of(p) for p in paths):
            pass
        else:
            if op.tool == "sed" and any(self.temp_of(p) for p in paths):
                raise Unsupported(op.cmd.loc, "sed edits a file of the assembled context: the "
                                              "build reads a file the project does not have")
            return False
        self.dead.append(op.cmd)
        return True

    def copy(self, op: HostOp, args: list[str]) -> None:
        """`cp src... TMP/`: each staged path traces back to its source; `dir/.` and `dir/*`
        stage the directory's contents."""
        dest = _path(args[-1], op.cmd)
        into = len(args) > 2 or args[-1].endswith("/") or dest in self.temps
        for src in args[:-1]:
            source = _path(src.removesuffix("*").rstrip("/") or ".", op.cmd)
            if src.endswith(("/.", "/*")) or src in (".", "*"):
                self.staged[dest] = source.removesuffix("/.")
            else:
                self.staged[posixpath.join(dest, posixpath.basename(source)) if into
                            else dest] = source

    def extracted(self, op: CpOp) -> None:
        """`docker cp C:/out/app "$TMP"/app`: the path is made in the temporary directory
        itself; a later `cp -r dir/* "$TMP"` does not provide it."""
        dest = _path(op.dest, op.cmd)
        if self.temp_of(dest):
            into = op.dest.endswith("/") or dest in self.temps
            made = posixpath.join(dest, posixpath.basename(op.src.rstrip("/"))) if into else dest
            self.staged[made] = made

    def build(self, op: BuildOp) -> BuildOp:
        """A build of the temporary context: its Dockerfile and sources traced to the project."""
        if self.temp_of(project_rel(op.cmd.cwd) or op.cmd.cwd):
            raise Unsupported(op.cmd.loc, "the final build runs inside the temporary "
                                          "directory; not supported yet")
        dockerfile = trace(op.dockerfile, self.staged)
        if self.temp_of(dockerfile):
            raise Unsupported(op.cmd.loc, f"{op.dockerfile} is written into the temporary "
                                          "context by something other than cp")
        return replace(op, dockerfile=dockerfile, staged=tuple(
            sorted(self.staged.items(), key=lambda kv: -len(kv[0]))))


def resolve(ops: Sequence[DockerOp]) -> tuple[list[DockerOp], list[Command], set[str]]:
    """The operations with staged builds traced back to the project, the staging steps, and the
    temporary directories."""
    st = _Staging()
    out: list[DockerOp] = []
    for op in ops:
        if isinstance(op, HostOp) and st.host(op):
            continue
        if isinstance(op, CpOp) and op.container is not None and op.dest != "-":
            st.extracted(op)
        if isinstance(op, BuildOp) and op.context == STDIN:
            st.temps.add(STDIN)  # a piped tar stream: its members are the context's files
        elif isinstance(op, BuildOp) and st.temp_of(op.context):
            op = st.build(op)
        out.append(op)
    return out, st.dead, st.temps


def trace(path: str, staged: dict[str, str] | Sequence[tuple[str, str]]) -> str:
    """Where a path in a temporary context came from (the longest staged prefix wins)."""
    items = staged.items() if isinstance(staged, dict) else staged
    for key, source in sorted(items, key=lambda kv: -len(kv[0])):
        if path == key:
            return source
        if path.startswith(key + "/"):
            return posixpath.normpath(posixpath.join(source, path[len(key) + 1 :]))
    return path
