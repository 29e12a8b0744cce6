"""The shell editor: deletions and replacements spliced into a shell script's text.

Besides the dead commands it removes what they leave dead (a `|| true` fallback, the comment
block that described only them, a trap that only cleans up a removed variable) and keeps what a
kept line still uses (a variable's assignment stays when anything but such a trap reads it).
"""

from __future__ import annotations

import re

from migrator.model import Command
from migrator.plan.scripts import FileEdits, file_commands
from migrator.plan.shell_tidy import tidy
from migrator.splice import Edit, apply, orphaned_comments


def edit(fe: FileEdits) -> str:
    removed = _with_fallbacks(fe, list(fe.removed))
    for _ in range(3):  # each round settles one layer of definitions and their users
        text = _render(fe, removed)
        changed = _keep_defined(fe, removed, text)
        if not changed:
            return text
    return _render(fe, removed)


def _render(fe: FileEdits, removed: list[Command]) -> str:
    edits = [Edit(c.cut, "") for c in removed] + [Edit(s, "") for s in fe.functions]
    edits.extend(Edit(span, "") for span in orphaned_comments(fe.text, edits))
    text = apply(fe.text, [*edits, *fe.edits])
    return tidy(text) if removed else text


def _with_fallbacks(fe: FileEdits, removed: list[Command]) -> list[Command]:
    """`dead || fallback`: the fallback ran only when the dead step failed; it goes too."""
    out = list(removed)
    ends = {c.cut.end for c in out if "||" in fe.text[c.span.end : c.cut.end]}
    for c in file_commands(fe):
        if c not in out and c.conditional and c.span.start in ends:
            out.append(c)
            if "||" in fe.text[c.span.end : c.cut.end]:
                ends.add(c.cut.end)
    return out


def _uses(text: str, var: str) -> list[re.Match[str]]:
    return list(re.finditer(r"\$\{?" + re.escape(var) + r"(?![A-Za-z0-9_])", text))


def _keep_defined(fe: FileEdits, removed: list[Command], new_text: str) -> bool:
    """A removed `VAR=$(cmd)` whose variable a kept line reads: remove the trap that only
    cleans it up, else keep the assignment. True if anything changed."""
    changed = False
    for definer in [c for c in removed if c.captured]:
        var = definer.captured
        assert var is not None
        if not _uses(new_text, var) or re.search(
                r"(?m)^\s*(?:export\s+|local\s+|readonly\s+)?" + re.escape(var) + "=", new_text):
            continue
        traps = [c for c in file_commands(fe) if c not in removed and c.name == "trap"
                 and _only_about(c, var)]
        if traps and len(_uses(new_text, var)) == sum(len(_uses(c.argv[1].raw, var))
                                                      for c in traps):
            removed.extend(traps)  # the traps are its only readers left
        else:
            removed.remove(definer)
        changed = True
    return changed


def _only_about(trap: Command, var: str) -> bool:
    """`trap 'rm -rf "$TMP"' EXIT`: every command of the trap's action reads `var`."""
    if len(trap.argv) < 3:
        return False
    parts = [p for p in re.split(r";|&&|\|\||\n", trap.argv[1].value) if p.strip()]
    return bool(parts) and all(_uses(p, var) for p in parts)
