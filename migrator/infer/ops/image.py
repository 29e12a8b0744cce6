"""Images made outside a Dockerfile build (`docker commit`) and layers taken from `docker save`:
neither has a multi-stage form, so a flow that depends on them is refused with the reason."""

from __future__ import annotations

from migrator.infer.machine import Machine
from migrator.model import ImageOp, Unsupported
from migrator.readers.words import host_path


def refuse_commit(op: ImageOp) -> None:
    names = [a for a in op.args if not a.startswith("-")]
    raise Unsupported(op.cmd.loc, f"docker commit {names[0]}: the image is the state a "
                                  "container was left in, which no Dockerfile describes; not "
                                  "translatable to a multi-stage build")


def image(m: Machine, op: ImageOp) -> None:
    names = [a for a in op.args if not a.startswith("-")]
    if op.what == "commit" and names and names[0] in m.containers:
        m.committed.append(op)  # refused if the flow takes files out of containers (finish)
    if op.what != "save":
        return
    if op.cmd.pipe is not None and op.cmd.pipe[1] == 0:
        raise Unsupported(op.cmd.loc, "files are taken from the layers of `docker save`: a "
                                      "multi-stage build has no form for image layers")
    for i, a in enumerate(op.args):
        if a in ("-o", "--output") and i + 1 < len(op.args):
            m.saved[m.rel(host_path(op.args[i + 1], op.cmd.cwd), op.cmd.loc)] = op.cmd.loc
        elif a.startswith("--output="):
            m.saved[m.rel(host_path(a.split("=", 1)[1], op.cmd.cwd), op.cmd.loc)] = op.cmd.loc
