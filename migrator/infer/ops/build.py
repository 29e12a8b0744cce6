"""`docker build -t TAG`: the engine now has an image under each tag."""

from __future__ import annotations

from migrator.infer.commands import image_command
from migrator.infer.machine import Image, Machine
from migrator.model import BuildOp


def build(m: Machine, op: BuildOp) -> None:
    df = m.dockerfiles.get(op.dockerfile)
    for t in op.tags:
        known = m.images.get(t.value)
        command = (image_command(df, op.target) if df is not None
                   else known.command if known is not None else ((), ()))
        m.images[t.value] = Image(op, command)
