"""The Makefile editor: recipe lines removed or replaced, and the rules that leaves empty.

A rule whose every recipe line is removed goes with its header, and so does every mention of its
target as a prerequisite or in `.PHONY`; when one of its lines has an `instead` text (a builder
build users call as `make builder`), the rule stays with that line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from migrator.model import Span
from migrator.plan.scripts import FileEdits
from migrator.splice import Edit, apply

_HEADER = re.compile(r"^([^\s:=#][^:=#]*?)\s*:(?![:=])([^=;#]*)(?:[;#].*)?$")


@dataclass(frozen=True)
class _Rule:
    target: str
    header: Span  # the header line, newline included
    prereqs: Span  # the prerequisite list's text
    recipe: tuple[Span, ...]  # its recipe lines, newlines included


def _lines(text: str) -> list[Span]:
    out, at = [], 0
    for line in text.splitlines(keepends=True):
        out.append(Span(at, at + len(line)))
        at += len(line)
    return out


def _rules(text: str) -> list[_Rule]:
    """Each single-target rule header and its tab-indented recipe lines."""
    rules: list[_Rule] = []
    current: tuple[str, Span, Span, list[Span]] | None = None
    for span in _lines(text):
        line = text[span.start : span.end].rstrip("\r\n")
        if current is not None and line.startswith("\t"):
            current[3].append(span)
            continue
        if current is not None and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if current is not None:
            rules.append(_Rule(current[0], current[1], current[2], tuple(current[3])))
            current = None
        m = _HEADER.match(line)
        if m and len(m.group(1).split()) == 1:
            current = (m.group(1), span, Span(span.start + m.start(2), span.start + m.end(2)), [])
    if current is not None:
        rules.append(_Rule(current[0], current[1], current[2], tuple(current[3])))
    return rules


def _within(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def edit(fe: FileEdits) -> str:
    text = _edit(fe)
    # A removed `VAR := $(shell mktemp -d)` whose variable a kept line still reads stays.
    kept = [c for c in fe.removed if c.captured and re.search(
        r"\$[({]" + re.escape(c.captured) + r"[)}]", text)]
    if kept:
        text = _edit(replace(fe, removed=tuple(c for c in fe.removed if c not in kept)))
    return text


def _edit(fe: FileEdits) -> str:
    edits = [Edit(c.cut, "") for c in fe.removed] + [Edit(s, "") for s in fe.functions]
    instead = dict(fe.instead)
    gone: list[str] = []
    for rule in _rules(fe.text):
        if not rule.recipe:
            continue
        cut = [c for c in fe.removed if any(_within(c.cut, r) or _within(r, c.cut)
                                            for r in rule.recipe)]
        if not cut or not all(any(_within(r, c.cut) or _within(c.cut, r) for c in cut)
                              for r in rule.recipe):
            continue  # the rule keeps some of its recipe
        kept = [c for c in cut if c in instead]
        if kept:
            edits = [e for e in edits if e.span != kept[0].cut]
            edits.append(Edit(kept[0].span, instead[kept[0]]))
            continue
        gone.append(rule.target)
        edits.append(Edit(rule.header, ""))
    edits.extend(_prerequisite_edits(fe.text, gone))
    return _drop_empty_conditionals(fe.text, apply(fe.text, [*edits, *fe.edits]))


_EMPTY_IF = re.compile(r"(?m)^[ \t]*(?:ifdef|ifndef|ifeq|ifneq)\b[^\n]*\n(?:[ \t]*\n)*"
                       r"[ \t]*endif[ \t]*(?:#[^\n]*)?(?:\n|$)")


def _drop_empty_conditionals(old: str, new: str) -> str:
    """`ifndef TEMP_DIR` ... `endif` whose only line was removed: the conditional goes too
    (one the file already had empty stays)."""
    had = len(_EMPTY_IF.findall(old))
    while len(_EMPTY_IF.findall(new)) > had:
        m = next(m for m in _EMPTY_IF.finditer(new) if m.group(0) not in old)
        new = new[: m.start()] + new[m.end() :]
    if "\n\n\n" not in old:
        while "\n\n\n" in new:
            new = new.replace("\n\n\n", "\n\n")
    return new


def _prerequisite_edits(text: str, gone: list[str]) -> list[Edit]:
    """Every mention of a removed target in a prerequisite list or `.PHONY` goes."""
    if not gone:
        return []
    edits = []
    for span in _lines(text):
        line = text[span.start : span.end].rstrip("\r\n")
        m = _HEADER.match(line)
        if not m or m.group(1).strip() in gone:
            continue
        for w in re.finditer(r"\S+", m.group(2)):
            if w.group(0) in gone:
                start = span.start + m.start(2) + w.start()
                # With the blank before it, so `image: extract` reads `image:`.
                while start > span.start and text[start - 1] in " \t":
                    start -= 1
                edits.append(Edit(Span(start, span.start + m.start(2) + w.end()), ""))
    return edits
