"""Host steps that reach outside the project's files: fetching from a container over the
network, running the build inside a Vagrant VM. Neither has a multi-stage form."""

from __future__ import annotations

from urllib.parse import urlsplit

from migrator.infer.machine import Machine
from migrator.model import HostOp, Unsupported

_LOCAL = ("localhost", "127.0.0.1", "0.0.0.0", "::1")


def _host_of(arg: str) -> str | None:
    if "://" not in arg and not arg.startswith(_LOCAL):
        return None
    return urlsplit(arg if "://" in arg else "http://" + arg).hostname or ""


def fetch(m: Machine, op: HostOp) -> None:
    """`curl http://localhost:8080/app.jar -o app.jar` while a container serves it."""
    if not m.detached:
        return
    for a in op.args:
        host = _host_of(a)
        if host is None:
            continue
        if host in _LOCAL or host in m.detached or "$(docker" in a or "${" in host:
            raise Unsupported(op.cmd.loc, f"{op.tool} fetches {a} over the network from a "
                                          "running container: a Dockerfile stage cannot serve "
                                          "files; copy them out of the image instead")


def vagrant(m: Machine, op: HostOp) -> None:
    if any("docker" in a for a in op.args):
        raise Unsupported(op.cmd.loc, "the docker steps run inside a Vagrant VM (vagrant "
                                      f"{' '.join(op.args[:2])}): their paths exist only in the "
                                      "VM; run the build on the host to migrate it")
