"""The editor for commands embedded in another kind of file: the steps of a CI definition, the
docker commands a Dockerfile's comments or a README's code blocks document.

Their readers read a *shell view* of the file (same offsets), so every span is the file's own.
A dead command goes with the whole line(s) it is on when nothing else is there but what the
embedding puts before a command (indentation, `#`, `- `, a `$ ` prompt); a command that shares
its line with a key (`script: docker cp ...`) becomes `true`, so the file keeps its structure.
Replacements are spliced in place.
"""

from __future__ import annotations

import re

from migrator.model import Command, Span
from migrator.plan.scripts import FileEdits
from migrator.plan.text import comments_above
from migrator.splice import Edit, apply

# What is left of a line once its dead commands are gone, when nothing else was on it: what
# the embedding puts before a command, list operators, continuations.
_REST = re.compile(r"(?:[ \t]*(?:#|-(?=[ \t])|[$>](?=[ \t])|;|&&|\|\||\\)?[ \t]*)*\r?\n?")


def edit(fe: FileEdits) -> str:
    text = apply(fe.text, [*_removals(fe.text, fe.removed), *fe.edits])
    if fe.kind != "ci":
        return text
    if fe.path.endswith(".gitlab-ci.yml"):
        return _gitlab(fe.text, text)
    if fe.path.endswith(".travis.yml"):
        return _travis(fe.text, text)
    from migrator.plan.ci_steps import empty_steps

    # Steps the migration left running nothing go whole (not a no-op step the file had), with
    # the comment lines right above them.
    had = {fe.text[s.start : s.end] for s in empty_steps(fe.text)}
    gone = [s for s in empty_steps(text) if text[s.start : s.end] not in had]
    return apply(text, [Edit(Span(comments_above(text, s.start), s.end), "") for s in gone])


def _removals(text: str, removed: tuple[Command, ...]) -> list[Edit]:
    """Whole lines where only dead commands were; `true` for a dead command sharing its line
    with something that stays."""
    lines: dict[Span, list[Command]] = {}
    for c in sorted(removed, key=lambda c: c.span):
        start = text.rfind("\n", 0, c.span.start) + 1
        end = text.find("\n", c.span.end)
        span = Span(start, len(text) if end < 0 else end + 1)
        prev = next((k for k in lines if k.start <= start < k.end), None)
        if prev is not None:  # one more command on lines already taken: widen them
            cmds = lines.pop(prev)
            span = Span(prev.start, max(prev.end, span.end))
            lines[span] = [*cmds, c]
        else:
            lines[span] = [c]
    out: list[Edit] = []
    for span, cmds in lines.items():
        rest, at = [], span.start
        for c in cmds:
            left = text[at : c.span.start]
            if c.captured:  # `id=$(docker create ...)`: the assignment goes with it
                left = re.sub(rf"\b{re.escape(c.captured)}=\"?\$\(\s*$", "", left)
            rest.append(left)
            at = c.span.end
            close = re.match(r"\s*\)\"?", text[at:]) if c.captured else None
            if close is not None:
                at += close.end()
        rest.append(text[at : span.end])
        if all(_REST.fullmatch(r) for r in rest):
            out.append(Edit(span, ""))
        else:
            # The head of a pipeline whose rest stays goes with its `|` (see the shell reader).
            out.extend(Edit(c.cut, "") if c.pipe is not None and c.pipe[1] == 0
                       and c.cut.end > c.span.end else Edit(c.span, "true") for c in cmds)
    return out


def _gitlab(old: str, text: str) -> str:
    """A job whose `script:` is left empty goes whole (nothing else names it); one that
    another job names (`needs:`, `dependencies:`) keeps running `true`."""
    from migrator.plan.ci_steps import empty_jobs

    had = {n for n, _ in empty_jobs(old)}
    edits = []
    for name, span in empty_jobs(text):
        if name in had:
            continue
        rest = re.sub(r"(?m)(^|\s)#.*$", "", text[: span.start] + text[span.end :])
        if re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])", rest):
            at = text.index("script:", span.start) + len("script:")
            line_end = text.index("\n", at) + 1 if "\n" in text[at:] else len(text)
            indent = " " * (len(text[text.rfind("\n", 0, at) + 1 : at]) - len("script:") + 2)
            edits.append(Edit(Span(line_end, line_end), f'{indent}- "true"\n'))
        else:
            edits.append(Edit(Span(comments_above(text, span.start), span.end), ""))
    return apply(text, edits)


def _travis(old: str, text: str) -> str:
    """A phase the migration empties: `script:` and `install:` run `"true"` (left empty, Travis
    runs the language's default commands instead); another hook goes."""
    from migrator.plan.ci_steps import emptied_keys

    edits = [Edit(Span(span.end, span.end), '  - "true"\n') if key in ("script", "install")
             else Edit(span, "") for key, span in emptied_keys(old, text)]
    return apply(text, edits)
