"""Files taken out of an image that is already built multi-stage (its final stage takes its
files `COPY --from` a stage of its own): the copy reads the finished product, not a builder.
What is left of the builder pattern is the images that build starts `FROM` that the script
built before (`docker build -t app_builder -f Dockerfile.build .`, then `FROM app_builder`):
they become stages of its Dockerfile, and the copy out of the product stays as it is."""

from __future__ import annotations

from collections.abc import Sequence

from migrator.infer.chain import chain
from migrator.infer.flow import Flow, NoPattern
from migrator.infer.machine import Machine
from migrator.model import BuildOp, Command, Dockerfile


def _multi_stage(df: Dockerfile, op: BuildOp) -> bool:
    """The build's final stage copies from another stage of the same Dockerfile."""
    final = df.stage(op.target) if op.target else df.stages[-1] if df.stages else None
    if final is None:
        return False
    for ins in final.body:
        ref = ins.flag("from") if ins.keyword in ("COPY", "ADD") else None
        own = df.stage(ref) if ref is not None else None
        if own is not None and own.index < final.index:
            return True
    return False


def product_flow(m: Machine, staging: Sequence[Command]) -> Flow | NoPattern | None:
    """None when the artifacts do not all come out of one multi-stage image built here."""
    images = {a.builder for a in m.artifacts}
    known = m.images.get(next(iter(images))) if len(images) == 1 else None
    df = m.dockerfiles.get(known.build.dockerfile) if known is not None else None
    if known is None or df is None or not _multi_stage(df, known.build):
        return None
    op = known.build
    ordered, links = chain(m, [op])
    builders = [b for b in ordered if b is not op]
    if not builders:
        art = m.artifacts[0]
        if all(a.how == "cp" for a in m.artifacts):
            # Nothing builds before it and nothing runs in it: `docker create` + `docker cp`
            # only take the files out for the host, an extraction-only flow like any other
            # (an export stage and `docker build --output`).
            return None
        return NoPattern(f"{art.loc}: the files come out of {art.builder}, which {op.cmd.loc} "
                         f"already builds multi-stage from {op.dockerfile}, by running it: the "
                         "finished image at work, not a builder pattern")
    dead = (*staging, *(b.cmd for b in builders))
    return Flow(tuple(builders), (), op, (), tuple(dict.fromkeys(dead)), (), tuple(m.warnings),
                chained=tuple(links))
