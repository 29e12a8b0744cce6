"""Apply (span, replacement) edits to a text, keeping every byte no edit covers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from migrator.model import Span


@dataclass(frozen=True)
class Edit:
    span: Span
    text: str  # "" deletes

    @property
    def is_delete(self) -> bool:
        return self.text == ""


def _line_bounds(text: str, span: Span) -> Span:
    start = text.rfind("\n", 0, span.start) + 1
    end = text.find("\n", span.end)
    return Span(start, len(text) if end < 0 else end + 1)


def _blank(s: str) -> bool:
    """Only blanks, recipe prefixes, or list operators and a continuation that joined the
    deleted command to its neighbours (`; \\` left of `mkdir -p out; \\` inside a recipe)."""
    return s.strip(" \t\r\n@-+") == "" or re.fullmatch(r"\s*(?:;|&&|\|\|)?\s*\\?\s*", s) is not None


def widen(text: str, edit: Edit) -> Edit:
    """A deletion that leaves only blanks on its lines takes the whole lines with it."""
    if not edit.is_delete:
        return edit
    lines = _line_bounds(text, edit.span)
    left = text[lines.start : edit.span.start]
    right = text[edit.span.end : lines.end]
    if _blank(left) and _blank(right):
        return Edit(lines, "")
    return edit


def orphaned_comments(text: str, edits: Iterable[Edit]) -> list[Span]:
    """Comment blocks that described only lines the edits delete.

    A block of `#` lines directly above a deleted line, set off by a blank line (or the start of
    the file) above, with a blank line (or the end) after the deletion, goes with it.
    """
    deleted = sorted(w.span for w in (widen(text, e) for e in edits)
                     if w.is_delete and (w.span.start == 0 or text[w.span.start - 1] == "\n"))
    runs: list[Span] = []
    for span in deleted:
        if runs and text[runs[-1].end : span.start].strip() == "":
            runs[-1] = Span(runs[-1].start, span.end)
        else:
            runs.append(span)
    out: list[Span] = []
    for run in runs:
        start = run.start
        while start > 0:
            prev = text.rfind("\n", 0, start - 1) + 1
            line = text[prev:start].strip()
            if line.startswith("#") and not line.startswith("#!"):
                start = prev
            else:
                break
        if start == run.start:
            continue
        above = text[text.rfind("\n", 0, max(start - 1, 0)) + 1 : start].strip()
        after = text[run.end : text.find("\n", run.end) if "\n" in text[run.end :] else len(text)]
        if (start == 0 or above == "" or above.startswith("#!")) and after.strip() == "":
            out.append(Span(start, run.start))
    return out


def apply(text: str, edits: Iterable[Edit]) -> str:
    """Apply edits; overlapping deletions merge; a replacement inside a deletion is an error."""
    # The same edit twice (one recipe line read for several goals of a recursive make) is one.
    unique = dict.fromkeys(edits)
    widened = sorted((widen(text, e) for e in unique), key=lambda e: (e.span.start, e.span.end))
    merged: list[Edit] = []
    for e in widened:
        if merged and merged[-1].is_delete and e.is_delete and e.span.start <= merged[-1].span.end:
            last = merged[-1]
            merged[-1] = Edit(Span(last.span.start, max(last.span.end, e.span.end)), "")
            continue
        if merged and e.span.start < merged[-1].span.end:
            raise ValueError(f"overlapping edits at {e.span} and {merged[-1].span}")
        merged.append(e)
    out = text
    for e in reversed(merged):
        out = out[: e.span.start] + e.text + out[e.span.end :]
    return _collapse_blank_runs(text, out, merged)


def _collapse_blank_runs(old: str, new: str, edits: list[Edit]) -> str:
    """Where deletions left two blank lines together that were apart before, keep one."""
    if not any(e.is_delete for e in edits):
        return new
    old_runs = max((len(r) for r in old.split("\n\n\n")), default=0) if "\n\n\n" in old else 0
    if old_runs:
        return new  # the author's own blank-line runs: leave the file's style alone
    while "\n\n\n" in new:
        new = new.replace("\n\n\n", "\n\n")
    if new.endswith("\n\n") and not old.endswith("\n\n"):
        new = new.rstrip("\n") + "\n"
    return new
