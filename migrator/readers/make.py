"""Read a Makefile target, with the prerequisites make would run first, into `Command` values.

makeparse.py finds the statements (tree-sitter-make), makeeval.py evaluates them as GNU make
does before it runs anything (nothing is executed: `make -p` would run `$(shell ...)` from the
project). Here a goal becomes the recipes make runs for it, in order: explicit, static pattern,
pattern and double-colon rules, with target-specific variables and automatic variables. Each
recipe line is expanded by make, then read by the shell reader, with every character mapped back
to the file so rewrites splice into the Makefile.
"""

from __future__ import annotations

import contextlib
import functools
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from migrator.model import PROJECT, Command, Problem, Script, Span, Word
from migrator.readers.makeeval import Evaluator
from migrator.readers.makefuncs import pattern_match
from migrator.readers.makemodel import Loader, Rule, Var
from migrator.readers.makeparse import RecipeLine
from migrator.readers.shell import Lines, ShellReader, _Frag, initial_frame

if TYPE_CHECKING:
    from migrator.readers.context import ReaderContext

__all__ = ["Makefile", "Rule", "parse_makefile", "read_make"]
_UNKNOWN_PART = re.compile(r"\$\{|\$\(shell ")
_MKTEMP = re.compile(r"^\$\(shell (mktemp\b[^)]*)\)$")


@dataclass(frozen=True)
class Makefile:
    path: str
    text: str
    variables: dict[str, str]
    rules: tuple[Rule, ...]
    problems: tuple[Problem, ...]
    ev: Evaluator = field(compare=False, repr=False)

    @functools.cached_property
    def _by_target(self) -> dict[str, list[Rule]]:
        index: dict[str, list[Rule]] = {}
        for r in self.rules:
            for t in dict.fromkeys(r.targets):
                index.setdefault(t, []).append(r)
        return index

    @functools.cached_property
    def _patterns(self) -> list[Rule]:
        return [r for r in self.rules if r.recipe and any("%" in t for t in r.targets)]

    def explicit(self, target: str) -> list[Rule]:
        return self._by_target.get(target, [])

    def rule(self, target: str) -> Rule | None:
        """The rule that makes `target` (explicit first, then a pattern rule), or None."""
        explicit = self.explicit(target)
        with_recipe = [r for r in explicit if r.recipe]
        if with_recipe:
            return with_recipe[-1]
        found = self.pattern_rule(target)
        if found is not None:
            return found[0]
        return explicit[0] if explicit else None

    def pattern_rule(self, target: str) -> tuple[Rule, str] | None:
        """The first pattern rule that can make `target`, and the stem `%` matched."""
        for r in self._patterns:
            for t in r.targets:
                if "%" in t:
                    stem = pattern_match(t, target)
                    if stem is not None:
                        return r, stem
        return None

    def targets(self) -> tuple[str, ...]:
        seen: list[str] = []
        for r in self.rules:
            for t in r.targets:
                if not t.startswith(".") and "%" not in t and t not in seen:
                    seen.append(t)
        return tuple(seen)

    @property
    def default_goal(self) -> str | None:
        """`.DEFAULT_GOAL` if set, else the first target not starting with `.`."""
        var = self.ev.vars.get(".DEFAULT_GOAL")
        if var is not None and self.ev.expand(var.value).strip():
            return self.ev.expand(var.value).strip()
        return self.ev.default_goal

    @property
    def phony(self) -> frozenset[str]:
        return frozenset(self.ev.special.get(".PHONY", set()))


def parse_makefile(path: str, text: str,
                   overrides: Mapping[str, str] | tuple[tuple[str, str], ...] = (),
                   curdir: str | None = None, *, ctx: ReaderContext | None = None,
                   load: Loader | None = None, files: frozenset[str] | None = None,
                   environment: Mapping[str, str] | None = None) -> Makefile:
    """Evaluate a Makefile run in `curdir` (default: its own directory). `overrides` act as
    `make NAME=VALUE` command-line variables (and `--set`); `environment` is what a calling
    recipe exported (never the host's); included files come from `ctx` (or `load`: a project
    file's text, None if there is none)."""
    here = posixpath.dirname(path)
    cwd = curdir or (posixpath.join(PROJECT, here) if here else PROJECT)
    if ctx is not None:
        context = ctx

        def load_from_ctx(rel: str) -> str | None:
            return context.text(rel) if context.is_file(rel) else None

        load, files = load or load_from_ctx, files if files is not None else ctx.files
    ev = Evaluator(path, curdir=cwd, overrides=dict(overrides), load=load,
                   files=files or frozenset(), environment=environment or {})
    ev.read_file(path, text)
    variables = {k: v.value for k, v in ev.vars.items() if v.origin != "default"}
    return Makefile(path, text, variables, tuple(ev.rules), tuple(ev.problems), ev)


def read_make(mk: Makefile, target: str, ctx: ReaderContext | None = None) -> Script:
    """The commands make runs for `target`: prerequisites depth-first, each target once."""
    runner = _Runner(mk, ctx)
    runner.make(target, ())
    problems = (*runner.problems, *(p for p in mk.ev.problems if p not in runner.problems))
    commands = (*_parse_time_commands(mk, runner.commands), *runner.commands)
    return Script(mk.path, mk.text, "make", commands, problems, target)


def _parse_time_commands(mk: Makefile, commands: list[Command]) -> list[Command]:
    """`TMP := $(shell mktemp -d)` makes a directory when make reads the file, before any
    recipe: the command the recipes' `${TMP}` stands for, as a shell `TMP=$(mktemp -d)` is."""
    used = " ".join(w.value for c in commands for w in c.argv)
    out: list[Command] = []
    for name, var in mk.ev.vars.items():
        found = _MKTEMP.match(var.value) if var.simple and var.loc is not None else None
        if found is None or var.loc is None or "${" + name + "}" not in used:
            continue
        text = mk.ev.texts.get(var.loc.path, "")
        start = sum(len(x) for x in text.splitlines(keepends=True)[: var.loc.line - 1])
        end = text.find("\n", start)
        span = Span(start, len(text) if end < 0 else end)
        argv = tuple(Word(w, w, span) for w in found.group(1).split())
        out.append(Command(argv, var.loc, span, span, mk.ev.curdir, file=var.loc.path,
                           captured=name))
    return out


class _Runner:
    def __init__(self, mk: Makefile, ctx: ReaderContext | None) -> None:
        self.mk = mk
        self.ctx = ctx
        self.ev = mk.ev
        self.commands: list[Command] = []
        self.problems: list[Problem] = list(mk.problems)
        self.done: set[str] = set()
        self.lines: dict[str, Lines] = {}

    def plans(self, name: str) -> list[tuple[tuple[str, ...], Rule | None, str]]:
        """What make does for `name`: (prerequisites, the rule whose recipe runs, stem) steps."""
        explicit = self.mk.explicit(name)
        doubles = [r for r in explicit if r.double]
        if doubles:
            return [(r.prereqs, r, r.stem) for r in doubles]
        prereqs = tuple(dict.fromkeys(p for r in explicit for p in r.prereqs))
        with_recipe = [r for r in explicit if r.recipe]
        if with_recipe:
            return [(prereqs, with_recipe[-1], with_recipe[-1].stem)]
        found = self.mk.pattern_rule(name)
        if found is not None:
            rule, stem = found
            own = tuple(p.replace("%", stem, 1) for p in rule.prereqs)
            return [((*own, *prereqs), rule, stem)]
        return [(prereqs, None, "")] if explicit else []

    def make(self, name: str, stack: tuple[str, ...]) -> None:
        if name in self.done or name in stack:
            return
        steps = self.plans(name)
        self.done.add(name)
        if not steps:
            return
        with self.target_variables(name):
            for prereqs, rule, stem in steps:
                for p in prereqs:
                    self.make(p, (*stack, name))
                if rule is not None:
                    self.recipe(name, prereqs, rule, stem)

    @contextlib.contextmanager
    def target_variables(self, name: str) -> Iterator[None]:
        """Target- and pattern-specific variables hold while `name` and its prerequisites are
        made (pattern-specific first, so a target's own value wins)."""
        found = [(any("%" in p for p in pats), st) for pats, st, _ in self.ev.target_vars
                 if any(pattern_match(p, name) is not None for p in pats)]
        if not found:
            yield
            return
        saved = self.ev.vars
        self.ev.vars = {k: Var(v.value, v.simple, v.origin, v.loc, v.export)
                        for k, v in saved.items()}
        try:
            for _, st in sorted(found, key=lambda f: not f[0]):
                self.ev.set_var(self.ev.expand(st.name).strip(), st, self.ev.vars)
            yield
        finally:
            self.ev.vars = saved

    def environment(self) -> dict[str, str | None]:
        """What make puts in a recipe's environment: exported and command-line variables
        (None where the value is unknown). The host's own environment is never read."""
        env: dict[str, str | None] = {}
        every = ".EXPORT_ALL_VARIABLES" in self.ev.special
        for name, var in list(self.ev.vars.items()):
            passed = var.export or var.origin in ("command line", "environment") or (
                every and var.origin != "default")
            if passed and name.isidentifier():
                value = self.ev.variable(name)
                env[name] = None if _UNKNOWN_PART.search(value) else value
        return env

    def recipe(self, name: str, prereqs: tuple[str, ...], rule: Rule, stem: str) -> None:
        auto = {"@": name, "<": prereqs[0] if prereqs else "",
                "^": " ".join(dict.fromkeys(prereqs)), "+": " ".join(prereqs),
                "?": " ".join(dict.fromkeys(prereqs)), "*": stem, "|": ""}
        text = self.ev.texts.get(rule.file, self.mk.text)
        if rule.file not in self.lines:
            self.lines[rule.file] = Lines(text)
        lines = self.lines[rule.file]
        pieces: list[tuple[_Frag, Span, Span]] = []
        with self.ev.scope(auto):
            for line in rule.recipe:
                self.ev.file, self.ev.line = rule.file, line.line
                piece = _expand_line(self.ev, line)
                if piece is not None:
                    pieces.append(piece)
        if ".ONESHELL" in self.ev.special and len(pieces) > 1:
            pieces = [_join(pieces)]
        env = self.environment() if pieces else {}
        for frag, whole, shell in pieces:
            reader = ShellReader(rule.file, text, lines=lines, ctx=self.ctx)
            frame = initial_frame(env, cwd=self.ev.curdir)
            frame.exported |= set(frame.env)
            reader.read(frag, frame)
            for cmd in reader.commands:
                if cmd.cut == shell:
                    cmd = replace(cmd, cut=whole)  # deleting a command takes its `@` with it
                self.commands.append(cmd)
            self.problems.extend(reader.problems)


def _expand_line(ev: Evaluator, line: RecipeLine) -> tuple[_Frag, Span, Span] | None:
    """A recipe line after make's expansion, each character mapped to its source range."""
    raw = line.text
    skip = 0
    while skip < len(raw) and raw[skip] in "@-+ \t":
        skip += 1  # recipe prefixes: silent, ignore errors, always run
    raw = raw[skip:]
    base = line.shell.start + skip
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(raw):
        if raw[i] == "$":
            piece, j = ev.reference(raw, i)
        else:
            j = raw.find("$", i)
            j = len(raw) if j < 0 else j
            piece = raw[i:j]
            if not line.generated:
                out.append(piece)
                starts.extend(range(base + i, base + j))
                ends.extend(range(base + i + 1, base + j + 1))
                i = j
                continue
        out.append(piece)
        a, b = (line.whole.start, line.whole.end) if line.generated else (base + i, base + j)
        starts.extend([a] * len(piece))
        ends.extend([b] * len(piece))
        i = j
    text, starts, ends = _drop_prefixes("".join(out), starts, ends)
    if not text.strip():
        return None
    shell = line.shell if line.generated else Span(base, line.shell.end)
    return _Frag(text, 0, tuple(starts), tuple(ends)), line.whole, shell


def _drop_prefixes(text: str, starts: list[int], ends: list[int]
                   ) -> tuple[str, list[int], list[int]]:
    """make reads `@`, `-` and `+` after expansion too (`$(Q)docker build`, with `Q = @`),
    and at the start of every line a canned recipe (`define`) expands to."""
    keep: list[int] = []
    at_start = True
    for k, c in enumerate(text):
        if at_start and c in "@-+ \t":
            continue
        at_start = c == "\n" and (k == 0 or text[k - 1] != "\\")
        keep.append(k)
    if len(keep) == len(text):
        return text, starts, ends
    return "".join(text[k] for k in keep), [starts[k] for k in keep], [ends[k] for k in keep]


def _join(pieces: list[tuple[_Frag, Span, Span]]) -> tuple[_Frag, Span, Span]:
    """`.ONESHELL`: a recipe's lines are one shell script."""
    text: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for k, (frag, _, _) in enumerate(pieces):
        if k:
            text.append("\n")
            starts.append(ends[-1])
            ends.append(ends[-1])
        text.append(frag.text)
        starts.extend(frag.starts or ())
        ends.extend(frag.ends or ())
    whole = Span(pieces[0][1].start, pieces[-1][1].end)
    shell = Span(pieces[0][2].start, pieces[-1][2].end)
    return _Frag("".join(text), 0, tuple(starts), tuple(ends)), whole, shell
