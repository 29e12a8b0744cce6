"""Rewrite a Python build script: the builder steps go, the final build gets what it needs.

Edits are found on the libcst tree and spliced into the original text, so every byte they do
not cover stays (comments, blank lines, quoting). A statement goes when every command it starts
is dead; then, until nothing changes, what only served removed code goes too: statements that
read a name only removed statements bound (the `with open(...)` that wrote an archive),
functions whose whole body went (with the statements that only call them), blocks left empty
(`pass` where the block must stay), assignments and imports nothing reads any more.
The final build's new options are written in the form its call uses: list elements, SDK
keyword arguments, or shell text inside the string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import libcst as cst

from migrator.model import Command, Span, Unsupported
from migrator.plan.scripts import FileEdits, file_commands
from migrator.pyedit_tree import Collector, Tree, all_names
from migrator.readers.python_source import parse
from migrator.splice import Edit, apply, orphaned_comments

_PURE_CALLS = {"docker.from_env", "docker.DockerClient", "os.environ.get", "os.getenv",
               "os.path.join", "pathlib.Path", "os.path.abspath", "os.getcwd"}


def _inside(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


class _Removal:
    """Which statements go: the dead commands' ones, then what only served them."""

    def __init__(self, tree: Tree, commands: Sequence[Command], dead: set[Command],
                 inserted: set[str]) -> None:
        self.tree = tree
        self.inserted = inserted  # names the final build's new text reads
        self.gone: set[cst.CSTNode] = set()
        self.inner: list[Command] = []  # dead commands inside a string that keeps others
        self.pass_for: set[cst.CSTNode] = set()
        self.dropped: set[str] = set()  # removed functions (invoke tasks) named in decorators
        spans = {s: tree.src.span(s) for s in tree.statements}
        self.spans = spans
        # Each command is under one statement per level: its call sites', outermost first, then
        # its own. A dead command goes with the innermost of them that starts only dead ones.
        levels = {c: self._levels(c) for c in commands}
        under: dict[cst.CSTNode | None, set[Command]] = {}
        for c, holders in levels.items():
            for h in holders:
                under.setdefault(h, set()).add(c)
        for c in commands:
            if c not in dead:
                continue
            holder = next((h for h in levels[c] if h is not None and under[h] <= dead), None)
            own = levels[c][0]
            if holder is not None:
                self.gone.add(holder)
            elif own is not None and c.cut != tree.src.line_span(own) and own is levels[c][-1]:
                self.inner.append(c)  # one command of several in a string: its own text
            else:
                raise Unsupported(c.loc, "this statement also runs steps that stay; cannot "
                                         "remove the builder-pattern step alone")
        self.used_before = self._reads(set())
        self._settle()

    def _levels(self, c: Command) -> list[cst.CSTNode | None]:
        """The statements a command's text is in, innermost first: its own, then those its
        words were written in (the call of a helper function that runs it)."""
        own = self._holder(c.span)
        out = [own]
        for w in c.argv:
            h = self._holder(w.span) if w.span.end > w.span.start else None
            if h is not None and h not in out:
                out.append(h)
        return out

    def _holder(self, span: Span) -> cst.CSTNode | None:
        """The innermost statement whose text holds `span`."""
        holders = [s for s in self.tree.statements if _inside(span, self.spans[s])]
        return min(holders, key=lambda s: self.spans[s].end - self.spans[s].start, default=None)

    def _reads(self, gone: set[cst.CSTNode]) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(self.inserted, 1)
        for s in self.tree.statements:
            if s in gone or self._under_gone(s, gone):
                continue
            for n in self.tree.reads[s]:
                counts[n] = counts.get(n, 0) + 1
        return counts

    def _under_gone(self, s: cst.CSTNode, gone: set[cst.CSTNode]) -> bool:
        p = self.tree.parent.get(s)
        while p is not None and p is not self.tree.src.module:
            if p in gone:
                return True
            p = self.tree.parent.get(p)
        return False

    def alive(self, s: cst.CSTNode) -> bool:
        return s not in self.gone and not self._under_gone(s, self.gone)

    def _settle(self) -> None:
        changed = True
        while changed:
            changed = False
            bound_gone = set().union(*(self.tree.binds[s] for s in self.gone)) if self.gone \
                else set()
            bound_alive = set().union(*(self.tree.binds[s] for s in self.tree.statements
                                        if self.alive(s)))
            orphans = bound_gone - bound_alive
            for s in self.tree.statements:
                if self.alive(s) and self.tree.reads[s] & orphans and not isinstance(
                        s, (cst.If, cst.While, cst.FunctionDef)):
                    self.gone.add(s)
                    changed = True
            for suite, body in self.tree.blocks.items():
                if suite is self.tree.src.module or suite in self.pass_for:
                    continue
                owner = self.tree.parent[suite]
                if self.alive(owner) and any(s in self.gone for s in body) and all(
                        s in self.gone or _docstring(s) for s in body):
                    changed |= self._empty(owner, suite)
            changed |= self._unused_assignments()

    def _empty(self, owner: cst.CSTNode, suite: cst.CSTNode) -> bool:
        """A suite all of whose statements go: its statement goes (a function with the
        statements that only call it), or the suite keeps a `pass`."""
        main = getattr(owner, "body", None) is suite
        if isinstance(owner, cst.FunctionDef):
            name = owner.name.value
            users = [s for s in self.tree.statements if s is not owner and self.alive(s)
                     and name in self.tree.reads[s] and not _only_calls(s, name)]
            if any(not isinstance(u, cst.FunctionDef) or name not in _decorator_names(u)
                   for u in users):
                self.pass_for.add(suite)  # something else still refers to the function
                return False
            self.gone.add(owner)
            self.dropped.add(name)  # `@task(pre=[name])` elsewhere loses it
            for s in self.tree.statements:
                if self.alive(s) and _only_calls(s, name):
                    self.gone.add(s)
            return True
        if main and (not isinstance(owner, (cst.If, cst.Try, cst.For, cst.While)) or
                     getattr(owner, "orelse", None) is None) and not isinstance(owner,
                                                                                cst.ClassDef):
            self.gone.add(owner)
            return True
        self.pass_for.add(suite)
        return False

    def _unused_assignments(self) -> bool:
        reads = self._reads(self.gone)
        changed = False
        for s in self.tree.statements:
            if isinstance(s, cst.FunctionDef) and not s.decorators and self.alive(s) and \
                    self.used_before.get(s.name.value) and not reads.get(s.name.value):
                self.gone.add(s)  # a helper only the removed steps called
                changed = True
            if not self.alive(s) or not isinstance(s, cst.SimpleStatementLine):
                continue
            bound = self.tree.binds[s]
            if bound and all(self.used_before.get(n) and not reads.get(n) for n in bound) and \
                    _pure(self.tree, s):
                self.gone.add(s)
                changed = True
        return changed


def _decorator_names(f: cst.FunctionDef) -> set[str]:
    return set().union(*(all_names(d.decorator) for d in f.decorators))


def _decorator_edits(tree: Tree, removal: _Removal) -> list[Edit]:
    """`@task(builder)`, `@task(pre=[builder])` without the tasks that were removed."""
    out = []
    for s in tree.statements:
        if not isinstance(s, cst.FunctionDef) or not removal.alive(s):
            continue
        for d in s.decorators:
            call = d.decorator
            if not isinstance(call, cst.Call) or not all_names(call) & removal.dropped:
                continue
            args = []
            for a in call.args:
                if isinstance(a.value, cst.Name) and a.value.value in removal.dropped:
                    continue
                if isinstance(a.value, (cst.List, cst.Tuple)):
                    kept = [e for e in a.value.elements if not (
                        isinstance(e.value, cst.Name) and e.value.value in removal.dropped)]
                    if not kept:
                        continue
                    a = a.with_changes(value=a.value.with_changes(elements=[
                        e.with_changes(comma=cst.MaybeSentinel.DEFAULT) for e in kept]))
                args.append(a.with_changes(comma=cst.MaybeSentinel.DEFAULT))
            new = call.with_changes(args=args) if args else call.func
            out.append(Edit(tree.src.span(call), cst.Module([]).code_for_node(new)))
    return out


def _docstring(s: cst.CSTNode) -> bool:
    return isinstance(s, cst.SimpleStatementLine) and len(s.body) == 1 and isinstance(
        s.body[0], cst.Expr) and isinstance(s.body[0].value, (cst.SimpleString,
                                                              cst.ConcatenatedString))


def _only_calls(s: cst.CSTNode, name: str) -> bool:
    if not isinstance(s, cst.SimpleStatementLine) or len(s.body) != 1:
        return False
    small = s.body[0]
    return isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) and isinstance(
        small.value.func, cst.Name) and small.value.func.value == name


def _pure(tree: Tree, s: cst.SimpleStatementLine) -> bool:
    """An assignment whose value has no effect: literals, names, f-strings, a docker client."""
    if len(s.body) != 1 or not isinstance(s.body[0], cst.Assign):
        return False
    value = s.body[0].value
    if isinstance(value, cst.Call):
        from migrator.readers.python import PythonReader

        q = PythonReader(tree.src).eval.qualname(value.func)
        return q in _PURE_CALLS or (q or "").split(".")[-1] in ("from_env",)
    return isinstance(value, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString,
                              cst.Name, cst.Attribute, cst.BinaryOperation, cst.Integer,
                              cst.List, cst.Tuple))


def edit(fe: FileEdits) -> str:
    """The script layer's editor for Python (`plan.scripts`): the dead commands' statements and
    what only served them removed, the final build's edits written in its call's own form."""
    from migrator.pyedit_build import translate

    tree = Tree(parse(fe.path, fe.text))
    tree.src.module.visit(Collector(tree))
    commands = file_commands(fe)
    edits = translate(tree.src, commands, fe.edits)
    inserted = set(re.findall(r"[A-Za-z_]\w*", " ".join(e.text for e in edits)))
    removal = _Removal(tree, commands, set(fe.removed), inserted)
    edits.extend(Edit(c.cut, "") for c in removal.inner)
    for s in tree.statements:
        if s in removal.gone and not removal._under_gone(s, removal.gone):
            edits.append(Edit(_blank_after(fe.text, _statement_lines(tree, s)), ""))
    for suite in removal.pass_for:
        if not removal.alive(tree.parent[suite]):
            continue
        body = tree.blocks[suite]
        first = _statement_lines(tree, body[0])
        indent = fe.text[first.start : tree.src.span(body[0]).start]
        edits.append(Edit(Span(first.start, first.start), f"{indent}pass\n"))
    edits.extend(_imports(tree, removal))
    edits.extend(_decorator_edits(tree, removal))
    edits.extend(Edit(span, "") for span in orphaned_comments(fe.text, edits))
    return _blank_runs(fe.text, apply(fe.text, edits))


def _blank_runs(old: str, new: str) -> str:
    """No run of blank lines longer than the longest the file had (two, between definitions)."""
    longest = max((m.count("\n") for m in re.findall(r"\n(?:[ \t]*\n)+", old)), default=1) - 1
    too_many = re.compile(r"\n(?:[ \t]*\n){" + str(longest + 1) + ",}")
    return too_many.sub("\n" * (longest + 1), new)


def _statement_lines(tree: Tree, s: cst.CSTNode) -> Span:
    """The lines of a statement, decorators included."""
    span = tree.src.line_span(s)
    if isinstance(s, cst.FunctionDef) and s.decorators:
        span = Span(tree.src.line_span(s.decorators[0]).start, span.end)
    # Without its newline: `splice.widen` takes the whole line, and only that line.
    return Span(span.start, span.end - 1) if tree.src.text[span.end - 1 : span.end] == "\n" \
        else span


def _blank_after(text: str, span: Span) -> Span:
    """A statement set off by blank lines on both sides goes with the shorter run of them, so
    the file keeps its spacing (two blank lines between top-level definitions stay two)."""
    start = span.start
    while start > 0 and text[:start].endswith("\n\n"):
        start = text.rfind("\n", 0, start - 1) + 1
        if text[start:span.start].strip():
            break
    before = text[start : span.start].count("\n")
    end = span.end + 1
    while end < len(text):
        nl = text.find("\n", end)
        if nl < 0 or text[end:nl].strip():
            break
        end = nl + 1
    after = text[span.end + 1 : end].count("\n")
    if not before or not after:
        return span
    return Span(start, span.end) if before <= after else Span(span.start, end)


def _imports(tree: Tree, removal: _Removal) -> list[Edit]:
    """Imports whose names the removed code used and nothing left uses."""
    reads = removal._reads(removal.gone)
    out = []
    for stmt, aliases in tree.imports.items():
        if not removal.alive(stmt):
            continue
        unused = [a for name, a in aliases
                  if removal.used_before.get(name) and not reads.get(name)]
        if not unused:
            continue
        if len(unused) == len(aliases):
            out.append(Edit(_statement_lines(tree, stmt), ""))
            continue
        assert isinstance(stmt, cst.SimpleStatementLine)
        small = stmt.body[0]
        assert isinstance(small, (cst.Import, cst.ImportFrom))
        names = small.names
        assert not isinstance(names, cst.ImportStar)
        keep = [a for a in names if a not in unused]
        text = ", ".join(cst.Module([]).code_for_node(a.with_changes(
            comma=cst.MaybeSentinel.DEFAULT)) for a in keep)
        first, last = tree.src.span(names[0]), tree.src.span(names[-1])
        out.append(Edit(Span(first.start, last.end), text))
    return out


def literal(value: str) -> str:
    return json.dumps(value)
