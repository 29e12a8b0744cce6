"""Whether a container's command needs the Docker socket it is given.

A generic dev-container runner often mounts `/var/run/docker.sock` for every target (the
integration tests start containers), while the build target's command is a script of the
project that never calls docker. Such a mount is incidental: the run is a build like any other.
The script is read, never run: the command's program (or the file a shell is given) and the
project files its arguments name beside it (`./script/make.sh generate binary` sources
`script/generate` and `script/binary`) must not mention docker outside comments.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from migrator.model import DockerOp, RunOp

SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
_SHELLS = ("sh", "bash", "dash", "ash", "zsh")
_DOCKER = re.compile(r"(?<![\w./-])docker(?:-compose)?(?![\w.-])|DOCKER_HOST|docker\.sock")


def _script(args: Sequence[str], files: Collection[str]) -> str | None:
    """The project file the command runs, as a project-relative path (None: not a project file)."""
    if args and posixpath.basename(args[0]) in _SHELLS and len(args) > 1 \
            and not args[1].startswith("-"):
        args = args[1:]
    if not args or args[0].startswith(("/", "$", "-")):
        return None
    rel = posixpath.normpath(args[0])
    return rel if rel in files else None


def _uses_docker(text: str) -> bool:
    return any(_DOCKER.search(line.split("#", 1)[0] if not line.lstrip().startswith("#!")
                              else "") for line in text.splitlines())


def needs_socket(op: RunOp, files: Collection[str], read: Callable[[str], str]) -> bool:
    """False only when the command is a project script that, with the files its arguments name
    beside it or in the project, never mentions docker."""
    script = _script(op.args, files) if op.entrypoint is None else None
    if script is None:
        return True
    here = posixpath.dirname(script)
    named = [p for a in op.args[1:] if not a.startswith("-")
             for p in {posixpath.normpath(posixpath.join(here, a)), posixpath.normpath(a)}
             if p in files]
    return any(_uses_docker(read(rel)) for rel in (script, *named))


def drop_incidental_sockets(ops: Sequence[DockerOp], files: Collection[str],
                            read: Callable[[str], str]) -> list[DockerOp]:
    """`ops` with the Docker socket mounts taken off the runs whose command does not use them."""
    out: list[DockerOp] = []
    for op in ops:
        if isinstance(op, RunOp) and any(h in SOCKETS or t in SOCKETS for h, t, _ in op.volumes) \
                and not needs_socket(op, files, read):
            op = replace(op, volumes=tuple(v for v in op.volumes
                                           if v[0] not in SOCKETS and v[1] not in SOCKETS))
        out.append(op)
    return out
