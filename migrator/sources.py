"""Which project paths a Dockerfile's `COPY`/`ADD` instructions read from the build context.

Sources are read as the builder reads them: `$VAR` / `${VAR}` / `${VAR:-default}` take the
values the stage's `ARG` defaults (a global `ARG` redeclared in the stage included) and `ENV`
lines give them before the instruction; a reference the file gives no value stays as written.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator, Mapping, Sequence

from migrator.model import Dockerfile, Instruction, Stage

_REF = re.compile(r"\$(?:\{(\w+)(?::?-([^}]*))?\}|(\w+))")


def context_path(context: str, source: str, staged: Sequence[tuple[str, str]] = ()) -> str:
    """The project-relative path of a `COPY` source (sources are relative to the context root;
    in an assembled context, `staged` says where each staged path came from)."""
    trailing = "/" if source.endswith("/") and source.strip("/") else ""
    joined = posixpath.normpath(posixpath.join(context, source.lstrip("/") or "."))
    if staged:
        from migrator.staging import trace

        joined = trace(joined, staged)
    return joined + trailing if joined != "." else "."


def substitute(text: str, values: Mapping[str, str]) -> str:
    """`$VAR`, `${VAR}`, `${VAR:-default}` replaced where `values` (or the default) says."""
    def one(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(3)
        if name in values:
            return values[name]
        return m.group(2) if m.group(2) is not None else m.group(0)
    return _REF.sub(one, text) if "$" in text else text


def _assignments(ins: Instruction) -> list[tuple[str, str | None]]:
    """`ENV K=V K2=V2` / `ENV K V` / `ARG K[=V]` as (name, value or None)."""
    try:
        words = shlex.split(ins.text.split(None, 1)[1] if " " in ins.text.strip() else "")
    except ValueError:
        return []
    if ins.keyword == "ENV" and len(words) >= 2 and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    return [(k, v if eq else None) for k, eq, v in (w.partition("=") for w in words)]


def _global_args(df: Dockerfile) -> dict[str, str]:
    return {k: v for ins in df.header if ins.keyword == "ARG"
            for k, v in _assignments(ins) if v is not None}


def copy_sources(df: Dockerfile, context: str, staged: Sequence[tuple[str, str]] = (),
                 ) -> Iterator[tuple[Stage, Instruction, list[str]]]:
    """Every context-reading COPY/ADD, with its sources as project-relative paths."""
    glob = _global_args(df)
    for stage in df.stages:
        values: dict[str, str] = {}
        for ins in stage.body:
            if ins.keyword in ("ARG", "ENV"):
                for k, v in _assignments(ins):
                    value = substitute(v, values) if v is not None else glob.get(k)
                    if value is not None:
                        values[k] = value
            if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None:
                continue
            if any(a.startswith("<<") for a in ins.args) or len(ins.args) < 2:
                continue
            yield stage, ins, [context_path(context, substitute(s, values), staged)
                               for s in ins.args[:-1]]
