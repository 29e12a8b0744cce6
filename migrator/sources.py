"""Which project paths a Dockerfile's `COPY`/`ADD` instructions read from the build context."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence

from migrator.model import Dockerfile, Instruction, Stage


def context_path(context: str, source: str, staged: Sequence[tuple[str, str]] = ()) -> str:
    """The project-relative path of a `COPY` source (sources are relative to the context root;
    in an assembled context, `staged` says where each staged path came from)."""
    trailing = "/" if source.endswith("/") and source.strip("/") else ""
    joined = posixpath.normpath(posixpath.join(context, source.lstrip("/") or "."))
    if staged:
        from migrator.staging import trace

        joined = trace(joined, staged)
    return joined + trailing if joined != "." else "."


def copy_sources(df: Dockerfile, context: str, staged: Sequence[tuple[str, str]] = (),
                 ) -> Iterator[tuple[Stage, Instruction, list[str]]]:
    """Every context-reading COPY/ADD, with its sources as project-relative paths."""
    for stage in df.stages:
        for ins in stage.body:
            if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None:
                continue
            if any(a.startswith("<<") for a in ins.args) or len(ins.args) < 2:
                continue
            yield stage, ins, [context_path(context, s, staged) for s in ins.args[:-1]]
