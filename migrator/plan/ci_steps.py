"""Steps of a CI workflow that the migration left with nothing to run go whole.

A GitHub Actions step (`- name: Extract the binary` / `run: ...`) whose `run:` is left `true`,
or a `run: |` block left empty, does nothing: the step goes, from its `- ` line to the next
line at its indentation or less. A step that also `uses:` an action, or has keys other than
the ones that only describe how its `run:` runs, stays. Read on the edited text, line by line
(the workflow's own YAML stays as it is written, comments and all).
"""

from __future__ import annotations

import re

from migrator.model import Span

_ITEM = re.compile(r"^(?P<indent>[ \t]*)-[ \t]+(?P<rest>.*)$")
_KEY = re.compile(r"^(?P<indent>[ \t]*)(?P<key>[\w-]+):[ \t]*(?P<value>.*?)[ \t]*$")
# Keys that only say how the step's run: runs (nothing else happens in the step).
_RUN_ONLY = {"name", "run", "shell", "env", "if", "working-directory", "id",
             "continue-on-error", "timeout-minutes"}


def empty_steps(text: str) -> list[Span]:
    """The spans of the steps (list items with a `run:`) that run nothing."""
    lines, starts = _lines(text)
    out = []
    for i, line in enumerate(lines):
        m = _ITEM.match(line.rstrip("\r\n"))
        if m is None:
            continue
        end = _item_end(lines, i, len(m.group("indent")))
        if _runs_nothing(lines[i:end], len(m.group("indent"))):
            out.append(Span(starts[i], starts[end]))
    return out


def _lines(text: str) -> tuple[list[str], list[int]]:
    """The lines (newlines kept) and the offset each starts at (one more: the end)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return lines, starts


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _item_end(lines: list[str], i: int, dash: int) -> int:
    j = i + 1
    while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > dash):
        j += 1
    while j > i + 1 and not lines[j - 1].strip():
        j -= 1  # trailing blank lines stay between the steps
    return j


def _runs_nothing(item: list[str], dash: int) -> bool:
    """An item whose keys are all `_RUN_ONLY`, with a `run:` of `true` or an empty block."""
    first = _ITEM.match(item[0].rstrip("\r\n"))
    assert first is not None
    body = [" " * (dash + 2) + first.group("rest"), *(x.rstrip("\r\n") for x in item[1:])]
    keys: dict[str, tuple[str, int]] = {}
    step = None
    for n, line in enumerate(body):
        k = _KEY.match(line)
        if k is None or not line.strip():
            continue
        if step is None:
            step = len(k.group("indent"))
        if len(k.group("indent")) == step:
            keys[k.group("key")] = (k.group("value"), n)
    if "run" not in keys or not set(keys) <= _RUN_ONLY:
        return False
    value, n = keys["run"]
    if value in ("true", ":"):
        return True
    if value in ("|", ">", "|-", ">-", "|+", ">+"):
        block = [x for x in body[n + 1:] if x.strip() and _indent(x) > (step or 0)]
        return all(x.strip() in ("true", ":") for x in block)
    return False


# GitLab CI: top-level keys that are not jobs.
_GITLAB_GLOBAL = {"stages", "variables", "image", "services", "before_script", "after_script",
                  "cache", "include", "default", "workflow", "pages"}
_TOP = re.compile(r"^(?P<name>[^\s#][^:]*):[ \t]*(?:#.*)?$")


def empty_jobs(text: str) -> list[tuple[str, Span]]:
    """GitLab jobs whose `script:` list the migration emptied: (job name, its span)."""
    lines, starts = _lines(text)
    out = []
    for i, line in enumerate(lines):
        m = _TOP.match(line.rstrip("\r\n"))
        if m is None or m.group("name").strip() in _GITLAB_GLOBAL or \
                m.group("name").startswith("."):
            continue
        end = i + 1
        while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"
                                    or lines[end].lstrip().startswith("#")):
            end += 1
        while end > i + 1 and not lines[end - 1].strip():
            end -= 1
        if _empty_script(lines[i + 1:end]):
            out.append((m.group("name").strip(), Span(starts[i], starts[end])))
    return out


def _empty_script(body: list[str]) -> bool:
    keys = [(n, k) for n, x in enumerate(body) if (k := _KEY.match(x.rstrip("\r\n")))]
    if not keys:
        return False
    indent = min(len(k.group("indent")) for _, k in keys)
    script = next(((n, k) for n, k in keys
                   if k.group("key") == "script" and len(k.group("indent")) == indent), None)
    if script is None or script[1].group("value"):
        return False
    n = script[0]
    items = []
    for x in body[n + 1:]:
        if x.strip() and _indent(x) <= indent and not x.lstrip().startswith("-"):
            break
        if x.strip() and not x.lstrip().startswith("#"):
            items.append(x)
    return not items


def emptied_keys(old: str, text: str) -> list[tuple[str, Span]]:
    """Top-level keys of a Travis file (`script:`, `before_install:` ...) that had list items
    and have none left: (key, the span of its line)."""

    def empty(t: str) -> dict[str, Span]:
        lines = t.splitlines(keepends=True)
        out, at = {}, 0
        for i, line in enumerate(lines):
            m = _TOP.match(line.rstrip("\r\n"))
            if m is not None and not any(x.strip() and (x[0] in " \t-")
                                         and not x.lstrip().startswith("#")
                                         for x in _until_top(lines[i + 1:])):
                out[m.group("name").strip()] = Span(at, at + len(line))
            at += len(line)
        return out

    before = empty(old)
    return [(k, s) for k, s in empty(text).items() if k not in before]


def _until_top(lines: list[str]) -> list[str]:
    out = []
    for x in lines:
        if x.strip() and x[0] not in " \t-#":
            break
        out.append(x)
    return out
