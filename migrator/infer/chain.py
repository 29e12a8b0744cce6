"""Builders built `FROM` an earlier build's tag (`docker build -t base .` then a builder whose
Dockerfile says `FROM base` or `FROM ${BASE}` with `--build-arg BASE=base`): the earlier build is
a builder stage too, ordered before the stages built on it."""

from __future__ import annotations

from migrator.infer.machine import Machine
from migrator.model import BuildOp
from migrator.sources import substitute


def _values(op: BuildOp, m: Machine) -> dict[str, str]:
    df = m.dockerfiles.get(op.dockerfile)
    out: dict[str, str] = {}
    for ins in df.header if df is not None else ():
        name, eq, value = (ins.args[0] if ins.args else "").partition("=")
        if eq:
            out[name] = value.strip("\"'")
    for k, w in op.build_args:
        _, eq, value = w.value.partition("=")
        if eq:
            out[k] = value
    return out


def bases(op: BuildOp, m: Machine) -> list[tuple[str, str]]:
    """(the FROM text, the image it names) of each stage of the build that starts from an
    image this script built before."""
    df = m.dockerfiles.get(op.dockerfile)
    if df is None:
        return []
    values = _values(op, m)
    stage = df.stage(op.target) if op.target else None
    upto = stage.index if stage is not None else len(df.stages) - 1
    out = []
    for st in df.stages[: upto + 1]:
        image = substitute(st.base, values)
        known = m.images.get(image)
        if known is not None and known.build is not op and df.stage(st.base) is None:
            out.append((st.base, image))
    return out


def chain(m: Machine, builders: list[BuildOp]) -> tuple[list[BuildOp],
                                                        list[tuple[str, str, str]]]:
    """The builders with every build they start from, bases first; and for each such FROM:
    (the Dockerfile, the FROM text, the image it names)."""
    ordered: list[BuildOp] = []
    links: list[tuple[str, str, str]] = []

    def visit(op: BuildOp, seen: tuple[BuildOp, ...]) -> None:
        if op in ordered or op in seen:
            return
        for raw, image in bases(op, m):
            links.append((op.dockerfile, raw, image))
            visit(m.images[image].build, (*seen, op))
        ordered.append(op)

    for b in builders:
        visit(b, ())
    return ordered, list(dict.fromkeys(links))
