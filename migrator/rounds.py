"""Several independent builder-pattern flows in one run: after the chosen flow is planned, the
next is planned on a scratch copy of the project that already has the first one's changes, and
so on until none is left (a fixpoint), a round makes no progress, or `ROUNDS` is reached.

One run then does what repeated runs would, so `migrate --check` right after a migration is
clean. Only a project whose chosen entry leaves other flows out pays for the copy. The copy
holds the project's files only (hard links where the file system allows, the changed files
written anew, never through a link); nothing in it is executed. The composed plan changes each
file from its original text to its last one; a later round's refusal is a warning, since what
the earlier rounds migrated stands.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from migrator.entries import left_clause
from migrator.problems import Loc, Problem, Severity, warning

if TYPE_CHECKING:
    from migrator.discover import Project
    from migrator.pipeline import Outcome
    from migrator.plan import FileChange

ROUNDS = 4  # the first plan and at most three more


def fixpoint(project: Project, first: Outcome, again: Callable[[str], Outcome]) -> Outcome:
    """`first` (a planned migration that leaves flows out) with the next flows' plans after it;
    `again(root)` analyses a copy of the project as the earlier rounds changed it."""
    assert first.plan is not None
    done = _Composed(first.plan.changes)
    rounds: list[Outcome] = []
    extra: list[Problem] = []
    left = first.left
    with tempfile.TemporaryDirectory(prefix="migrator-rounds-") as scratch:
        _copy(project, scratch)
        changes = first.plan.changes
        while left and len(rounds) + 1 < ROUNDS:
            _apply(scratch, changes)
            before = dict(done.new)
            nxt = again(scratch)
            if nxt.plan is None:  # refused, or nothing left to migrate
                extra.extend(_refusal(nxt, left, done, before))
                left = left if extra else ()
                break
            nxt = _relocated(nxt, done, before)
            assert nxt.plan is not None
            if not done.add(nxt.plan.changes):  # the same text again: no progress
                break
            rounds.append(nxt)
            changes, left = nxt.plan.changes, nxt.left
    return _outcome(first, done, rounds, extra, left)


class _Composed:
    """Each changed file's original text and its text after the latest round."""

    def __init__(self, changes: tuple[FileChange, ...]) -> None:
        self.old: dict[str, str | None] = {}
        self.new: dict[str, str | None] = {}
        self.add(changes)

    def add(self, changes: tuple[FileChange, ...]) -> bool:
        """Take one round's changes; False if they change nothing."""
        moved = False
        for c in changes:
            if c.new == c.old:
                continue
            self.old.setdefault(c.path, c.old)  # a file no earlier round touched: as read
            moved = moved or self.new.get(c.path, c.old) != c.new
            self.new[c.path] = c.new
        return moved

    def changes(self) -> tuple[FileChange, ...]:
        from migrator.plan import FileChange

        return tuple(FileChange(p, old, self.new[p]) for p, old in self.old.items()
                     if self.new[p] != old)


def _copy(project: Project, scratch: str) -> None:
    for d in sorted(project.dirs):
        os.makedirs(os.path.join(scratch, d), exist_ok=True)
    for rel in project.files:
        src, dst = os.path.join(project.root, rel), os.path.join(scratch, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
            continue
        try:
            os.link(src, dst)
        except OSError:  # another file system, or links not allowed
            with contextlib.suppress(OSError):
                shutil.copy2(src, dst)


def _apply(scratch: str, changes: tuple[FileChange, ...]) -> None:
    """One round's changes on the copy; a changed file is a new file, never written through a
    hard link to the project's own."""
    for c in changes:
        path = os.path.join(scratch, c.path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        if c.new is not None:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(c.new)


def _relocated(nxt: Outcome, done: _Composed, seen: dict[str, str | None]) -> Outcome:
    """A later round's problems and explanation at the original files' lines."""
    assert nxt.plan is not None
    lines = {path: _line_map(text, done.old.get(path) or "") for path, text in seen.items()
             if text is not None}
    pattern = re.compile("|".join(rf"(?<![\w./-])({re.escape(p)}):(\d+)\b" for p in lines))

    def at(m: re.Match[str]) -> str:
        path = next(g for g in m.groups()[::2] if g)
        n = int(next(g for g in m.groups()[1::2] if g))
        return f"{path}:{lines[path].get(n, n)}"

    if not lines:
        return nxt
    explain = tuple(pattern.sub(at, e) for e in nxt.plan.explain)
    changes = tuple(replace(c, new=_added_lines(c.old, c.new, lambda t: pattern.sub(at, t)))
                    for c in nxt.plan.changes)
    return replace(nxt, plan=replace(nxt.plan, explain=explain, changes=changes),
                   problems=tuple(_located(p, done, seen) for p in nxt.problems))


def _added_lines(old: str | None, new: str | None, fix: Callable[[str], str]) -> str | None:
    """`new` with `fix` applied to the lines this round wrote (a generated comment that names
    the legacy line), not to lines it kept."""
    if new is None or old is None:
        return new if new is None else fix(new)
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out = list(b)
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("insert", "replace"):
            out[j1:j2] = [fix(line) for line in b[j1:j2]]
    return "".join(out)


def _located(p: Problem, done: _Composed, seen: dict[str, str | None]) -> Problem:
    """A later round's problem at the original file's line where that line is unchanged, else
    at the line of the file as the earlier rounds left it, saying so."""
    if p.loc is None or p.loc.path not in seen:
        return p
    text, orig = seen[p.loc.path], done.old.get(p.loc.path)
    if text is None:
        return p
    line = _line_map(text, orig or "").get(p.loc.line)
    if line is not None:
        return replace(p, loc=Loc(p.loc.path, line))
    return replace(p, message=f"{p.message} (line {p.loc.line} of {p.loc.path} as this "
                              "migration's earlier changes left it)")


def _line_map(text: str, orig: str) -> dict[int, int]:
    """Line numbers of `text` that are unchanged lines of `orig`, to theirs there."""
    blocks = difflib.SequenceMatcher(None, text.splitlines(), orig.splitlines(),
                                     autojunk=False).get_matching_blocks()
    return {a + k + 1: b + k + 1 for a, b, size in blocks for k in range(size)}


def _refusal(nxt: Outcome, left: tuple[str, ...], done: _Composed,
             seen: dict[str, str | None]) -> list[Problem]:
    """What a later round that migrates nothing says, as warnings: the earlier rounds'
    migration stands. Nothing at all when the builds left had nothing more to migrate once
    the earlier rounds' changes were made (they shared its lines)."""
    names = ", ".join(left[:3]) + (f" and {len(left) - 3} more" if len(left) > 3 else "")
    out = [warning(p.loc, f"not migrated ({names}): {p.message}") if p.severity is
           Severity.ERROR else p for p in nxt.problems]
    return [_located(p, done, seen) for p in out]


def _outcome(first: Outcome, done: _Composed, rounds: list[Outcome], extra: list[Problem],
             left: tuple[str, ...]) -> Outcome:
    assert first.plan is not None
    explain = list(first.plan.explain)
    problems = list(first.problems)
    for r in rounds:
        assert r.plan is not None
        explain.append(f"then, in the same run, {r.why} (a line that the changes above "
                       "moved or made is numbered as they left it)")
        explain.extend(r.plan.explain)
        problems.extend(r.problems)
    problems.extend(extra)
    unique = tuple(dict.fromkeys(problems))
    whys = [_without_left(o.why, o.left) for o in (first, *rounds)]
    why = "; then ".join(whys) + (f"; {left_clause(left)}" if left else "")
    plan = replace(first.plan, changes=done.changes(), explain=tuple(explain),
                   warnings=tuple(p for p in unique if p not in first.problems
                                  or p in first.plan.warnings))
    return replace(first, plan=plan, problems=unique, why=why, left=left)


def _without_left(why: str, left: tuple[str, ...]) -> str:
    """A round's reason without its list of the builds it left: a later round took them."""
    clause = "; " + left_clause(left)
    return why[:-len(clause)] if left and why.endswith(clause) else why
