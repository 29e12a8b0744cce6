"""`docker build -t TAG`: the engine now has an image under each tag."""

from __future__ import annotations

from migrator.infer.commands import image_command
from migrator.infer.machine import Image, Machine
from migrator.infer.ops.host import unpack
from migrator.interpret import STDIN
from migrator.model import BuildOp, Unsupported


def build(m: Machine, op: BuildOp) -> None:
    if op.context == STDIN:
        _stdin_context(m, op)
    df = m.dockerfiles.get(op.dockerfile)
    m.seen.append((op, tuple(m.artifacts)))
    for t in op.tags:
        known = m.images.get(t.value)
        command = (image_command(df, op.target) if df is not None
                   else known.command if known is not None else ((), ()))
        m.images[t.value] = Image(op, command)


def _stdin_context(m: Machine, op: BuildOp) -> None:
    """`docker run B | docker build -f Dockerfile.run -`: the stream's members are the
    context's files, each taken from the builder (the Dockerfile is the project's)."""
    stream = m.streams.pop(op.cmd.pipe[0], None) if op.cmd.pipe is not None else None
    if stream is None or not stream.members:
        raise Unsupported(op.cmd.loc, "build context '-' is read from standard input, which "
                                      "is not a tar stream of known members from a container")
    unpack(m, stream, STDIN, op.cmd, skip={k for k, _ in op.staged})
