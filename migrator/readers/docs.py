"""Read the docker commands a project documents instead of scripting: a Dockerfile's header
comments (`#   docker build -t app-builder -f Dockerfile.build .`) or a README's fenced code
blocks.

Like the CI reader, this makes a *shell view* of the file: the same text with everything but the
documented docker command lines blanked (comment marks and `$ ` prompts included), so offsets and
lines are the file's own. Only docker lines (and their `\\` continuations) are kept: code blocks
also hold output and prose.
"""

from __future__ import annotations

import os
import posixpath
import re
from typing import TYPE_CHECKING

from migrator.model import Script

if TYPE_CHECKING:
    from migrator.readers.context import ReaderContext

_COMMAND = re.compile(r"^(?P<lead>[ \t]*(?:#[ \t]*)?(?:\$[ \t]+)?)"
                      r"(?P<cmd>(?:sudo[ \t]+)?docker[ \t].*)$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")


def is_doc(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.startswith("Dockerfile") or name.lower().startswith("readme") or \
        name.lower().endswith(".md")


def docs_view(path: str, text: str) -> str:
    """The file with only its documented docker command lines left in place."""
    markdown = not path.rsplit("/", 1)[-1].startswith("Dockerfile")
    out: list[str] = []
    fenced = False
    keep_next = False
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        end = line[len(body):]
        if markdown and _FENCE.match(body):
            fenced = not fenced
            out.append(" " * len(body) + end)
            continue
        usable = fenced if markdown else body.lstrip().startswith("#")
        m = _COMMAND.match(body) if usable else None
        if m is not None or (usable and keep_next):
            lead = m.group("lead") if m is not None else _continuation_lead(body)
            out.append(" " * len(lead) + body[len(lead):] + end)
            keep_next = body.endswith("\\")
        else:
            out.append(" " * len(body) + end)
            keep_next = False
    return "".join(out)


def _continuation_lead(body: str) -> str:
    m = re.match(r"^[ \t]*(?:#[ \t]*)?", body)
    return m.group() if m else ""


def documented_builds(text: str) -> int:
    """How many `docker build` commands the documented lines hold."""
    return len(re.findall(r"\bdocker[ \t]+build\b", text))


def read_docs(path: str, text: str, ctx: ReaderContext | None = None) -> Script:
    from migrator.readers.shell import ShellReader, _Frag, initial_frame

    view = docs_view(path, text)
    reader = ShellReader(path, view, ctx=ctx)
    reader.read(_Frag(view), initial_frame())
    shared = reader.shared
    return Script(path, text, "docs", tuple(shared.commands), tuple(shared.problems))


def document_order(path: str) -> tuple[int, str]:
    """The order a reader follows documents in: the builder's Dockerfile, the others, READMEs."""
    name = posixpath.basename(path).lower()
    return (0 if "build" in name and not name.startswith("readme") else
            2 if name.startswith("readme") else 1, path)


def documented_commands(root: str) -> str:
    """The docker commands every document of the project under `root` gives, in reading order:
    what a person following the documentation runs (verification runs this)."""
    found = []
    for here, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            rel = os.path.relpath(os.path.join(here, name), root).replace(os.sep, "/")
            if is_doc(rel):
                with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
                    text = f.read()
                if "docker" in text:
                    found.append((rel, text))
    return "\n".join(docs_view(rel, text) for rel, text in sorted(
        found, key=lambda x: document_order(x[0])))
