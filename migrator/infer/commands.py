"""What a container runs: the image's ENTRYPOINT/CMD combined with `docker run`'s arguments."""

from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Sequence

from migrator.infer.machine import ImageCommand, Machine, q
from migrator.model import Dockerfile, RunOp, Unsupported


def image_command(df: Dockerfile, target: str | None) -> ImageCommand:
    """The ENTRYPOINT and CMD a stage of this Dockerfile sets (empty where it sets none)."""
    stage = df.stage(target) if target else df.stages[-1]
    found: dict[str, tuple[str, ...]] = {}
    for ins in stage.body if stage is not None else ():
        if ins.keyword in ("ENTRYPOINT", "CMD"):
            body = ins.text.split(None, 1)[1].strip() if " " in ins.text.strip() else ""
            try:
                value = json.loads(body)
                exec_form = isinstance(value, list)
            except ValueError:
                exec_form = False
            found[ins.keyword] = (tuple(str(x) for x in value) if exec_form
                                  else ("/bin/sh", "-c", body))
    return found.get("ENTRYPOINT", ()), found.get("CMD", ())


def effective_command(op: RunOp, m: Machine) -> tuple[str, ...]:
    """What the container runs: ENTRYPOINT + (arguments or CMD), as `docker run` combines them."""
    if op.entrypoint is not None:
        return (op.entrypoint, *op.args) if op.entrypoint else op.args
    ep, cmd = m.command(op.image)
    argv = (*ep, *(op.args or cmd))
    if not argv:
        raise Unsupported(op.cmd.loc, f"`docker run {op.image}` runs the image's own command, "
                                      "which this project does not define (a stock image's CMD)")
    return argv


def shell_line(op: RunOp, argv: Sequence[str]) -> str:
    """The container's command as one shell line for a `RUN` (its `-e` and `-w` applied)."""
    line = shlex.join(argv)
    if op.env:
        line = "env " + " ".join(q(f"{k}={v}") for k, v in op.env) + " " + line
    if op.workdir:
        line = f"cd {q(op.workdir)} && {line}"
    return line


def idles(args: Sequence[str]) -> bool:
    """`sleep infinity`, `tail -f /dev/null`, a bare shell: a container kept up for `exec`."""
    name = posixpath.basename(args[0])
    return name in ("sleep", "cat", "sh", "bash") or (name == "tail" and "-f" in args)
