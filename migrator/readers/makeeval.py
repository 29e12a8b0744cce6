"""Evaluate a Makefile as GNU make reads it, before it runs any recipe; nothing is executed.

Statements run in file order: assignments of every flavour, conditionals (the arm that applies),
`include` through the project's files, `$(eval ...)`, rules. References expand as make expands
them (makefuncs.py has the functions). A value the Makefile cannot know stays symbolic in the
text: an undefined variable as `${NAME}`, a `$(shell ...)` with no safe fixed answer as itself.
Where such a value chooses between arms that differ in more than variable values, reading stops
with the `--set` that resolves it.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
from collections.abc import Iterator, Mapping

from migrator.model import PROJECT, Loc, Problem, Span, Unsupported, warning
from migrator.readers import makeparse
from migrator.readers.makefuncs import ARITY, FUNCTIONS, patsubst_word, pattern_match, split_args
from migrator.readers.makemodel import Loader, Rule, Var
from migrator.readers.makeparse import Assign, Cond, Export, Expr, Include, RecipeLine, RuleStmt

_UNKNOWN = re.compile(r"\$\{([^}]*)\}|\$\(shell ([^)]*)\)")
_AUTOMATIC = "@<^+*?|%"
_MESSAGE = re.compile(r"\$[({](error|warning|info)[ \t]")  # a check, not a change of flow
_SHELL_ONLY = re.compile(r"^\s*\$\(shell [^)]*\)\s*$")
_DEFAULTS = {"MAKE": "make", "SHELL": "/bin/sh", "RM": "rm -f", "CC": "cc", "CXX": "g++",
             "AR": "ar", "MAKELEVEL": "0", "MAKEFLAGS": "", "MAKECMDGOALS": ""}


class Evaluator:
    def __init__(self, path: str, *, curdir: str = PROJECT, overrides: Mapping[str, str] = {},
                 load: Loader | None = None, files: frozenset[str] = frozenset(),
                 environment: Mapping[str, str] = {}) -> None:
        self.curdir = curdir
        self.files = files
        self.dirs = frozenset(posixpath.dirname(f) for f in files)
        self.load = load
        self.vars: dict[str, Var] = {k: Var(v, True, "default") for k, v in _DEFAULTS.items()}
        self.vars["CURDIR"] = Var(curdir, True, "default")
        for name, value in environment.items():
            self.vars[name] = Var(value, True, "environment")
        for name, value in overrides.items():
            self.vars[name] = Var(value, True, "command line")
        self.scopes: list[dict[str, str]] = []
        self.rules: list[Rule] = []
        self.target_vars: list[tuple[tuple[str, ...], Assign, str]] = []
        self.problems: list[Problem] = []
        self.texts: dict[str, str] = {}
        self.including: list[str] = []
        self.makefile_list: list[str] = []
        self.file, self.line = path, 1
        self.current: Rule | None = None
        self.default_goal: str | None = None
        self.special: dict[str, set[str]] = {}
        self.cond_depth = 0
        self.expanding: list[str] = []
        self._noted: set[str] = set()

    # ------------------------------------------------------------ errors and notes

    def fail(self, message: str) -> Unsupported:
        return Unsupported(Loc(self.file, self.line), message)

    def note(self, message: str) -> None:
        if message not in self._noted:
            self._noted.add(message)
            self.problems.append(warning(Loc(self.file, self.line), message))

    # ------------------------------------------------------------ reading files

    def read_file(self, path: str, text: str) -> None:
        if path in self.including:
            chain = " -> ".join([*self.including[self.including.index(path):], path])
            raise self.fail(f"include cycle: {chain}")
        self.texts[path] = text
        self.makefile_list.append(path)
        self.vars["MAKEFILE_LIST"] = Var(" ".join(self.makefile_list), True, "default")
        outer = self.file, self.line, self.current
        self.including.append(path)
        self.file, self.current = path, None
        try:
            self.run(makeparse.parse(path, text))
        finally:
            self.including.pop()
            self.file, self.line, self.current = outer

    def run(self, statements: list[makeparse.Stmt] | tuple[makeparse.Stmt, ...]) -> None:
        for st in statements:
            self.line = st.line
            if isinstance(st, RecipeLine):
                if self.current is not None:
                    self.current.recipe.append(st)
                elif not st.generated:
                    # A tab-indented line outside a rule is an ordinary Makefile line.
                    self.run(makeparse.parse(self.file, st.text, st.line))
                continue
            if isinstance(st, Cond):
                self.run(self.arm(st))
                continue
            self.current = None
            if isinstance(st, Assign):
                self.assign(st)
            elif isinstance(st, RuleStmt):
                self.rule(st)
            elif isinstance(st, Include):
                self.include(st)
            elif isinstance(st, Export):
                self.export(st)
            elif isinstance(st, Expr) and self.expand(st.text).strip():
                raise self.fail("missing separator: this line expands to text that is "
                                "neither a rule nor an assignment")

    def include(self, st: Include) -> None:
        for name in self.expand(st.names).split():
            path = self.relative(name)
            text = self.load(path) if self.load is not None else None
            if text is None:
                if st.optional:
                    continue
                if any(name in r.targets for r in self.rules):
                    # make would run that rule to make the file, then read it: nothing runs.
                    self.note(f"{name} is made by a rule of the Makefile; it is not read")
                    continue
                raise self.fail(f"{name}: included file not found in the project")
            self.read_file(path, text)

    def eval_text(self, text: str) -> None:
        at = self._line_span()
        outer = self.current
        # Generated text has no place of its own in the file: joining its continuation lines
        # and dropping leading blanks (not tabs) changes nothing make reads.
        text = re.sub(r"\\\n[ \t]*", " ", text)
        text = re.sub(r"(?m)^ +", "", text)
        self.run(makeparse.parse(self.file, text, self.line, at))
        self.current = outer if self.current is None else self.current

    def _line_span(self) -> Span:
        text = self.texts.get(self.file, "")
        start = 0
        for _ in range(self.line - 1):
            start = text.find("\n", start) + 1
        end = text.find("\n", start)
        return Span(start, len(text) if end < 0 else end)

    # ------------------------------------------------------------ statements

    def arm(self, st: Cond) -> tuple[makeparse.Stmt, ...]:
        """The statements of the arm that applies. An arm chosen by a value nothing makes
        known is read as make would read that value's text, unless the arms differ in more
        than variable values (rules, recipe lines, includes): then the value must be given."""
        for kind, args, body in st.arms:
            if kind in ("ifdef", "ifndef"):
                name = self.expand(args[0]).strip()
                defined = bool(self.vars.get(name) and self.vars[name].value)
                if defined == (kind == "ifdef"):
                    return body
                continue
            unknown = [u for u in (self.unknown_in(x) for x in args) if u]
            a, b = (self.condition(x) for x in args)
            taken = (a.strip() == b.strip()) == (kind == "ifeq")
            if unknown:
                self.undecided(st, unknown[0], f"{kind} ({args[0]},{args[1]})")
            if taken:
                return body
        return st.other

    def undecided(self, st: Cond, name: str, what: str) -> None:
        arms = [body for _, _, body in st.arms] + [st.other]
        in_rule = self.current is not None  # tab-indented lines: recipe lines only in a rule
        if any(not isinstance(x, Assign) and (in_rule or not isinstance(x, RecipeLine))
               and not (isinstance(x, Expr) and _MESSAGE.match(x.text))
               for body in arms for x in body):
            raise self.fail(f"{name} decides which branch make takes ({what}) and has no "
                            f"value; give --set {name}=...")
        self.note(f"{name} has no known value; `{what}` is read with it unknown (--set "
                  f"{name}=... gives it one)")

    def unknown_in(self, raw: str) -> str | None:
        """The variable (or `$(shell ...)`) that makes a condition's value unknown, if any."""
        found = _UNKNOWN.search(self.condition(raw))
        if found is None:
            return None
        names = re.findall(r"\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]", raw)
        return names[0] if names else found.group(1) or found.group(0)

    def decide(self, raw: str) -> str:
        """The condition of `$(if)`, `$(or)`, `$(and)`: an unknown value counts as text."""
        name = self.unknown_in(raw)
        if name is not None:
            self.note(f"{name} has no known value; `$(if {raw.strip()},...)` is read with it "
                      f"unknown (--set {name}=... gives it one)")
        return self.condition(raw)

    def condition(self, raw: str) -> str:
        """An expansion that decides a branch: undefined variables are empty, as for make
        with a clean environment (--set gives them values)."""
        self.cond_depth += 1
        try:
            return self.expand(raw)
        finally:
            self.cond_depth -= 1

    def assign(self, st: Assign) -> None:
        name = self.expand(st.name).strip()
        if st.targets is not None:
            self.target_vars.append((tuple(self.expand(st.targets).split()), st, self.file))
            return
        self.set_var(name, st, self.vars)

    def set_var(self, name: str, st: Assign, table: dict[str, Var]) -> None:
        old = table.get(name)
        loc = Loc(self.file, st.line)
        if old is not None and old.origin == "command line" and not st.override:
            old.export = old.export or st.export
            return
        origin = "override" if st.override else "file"
        # A variable first seen in the environment stays exported when the file sets it.
        export = st.export or (old is not None and (old.export or old.origin == "environment"))
        if st.op in (":=", "::="):
            table[name] = Var(self.expand(st.value), True, origin, loc, export)
        elif st.op == "?=":
            if old is None:
                table[name] = Var(st.value, False, origin, loc, export)
        elif st.op == "+=" and old is not None:
            add = self.expand(st.value) if old.simple else st.value
            value = f"{old.value} {add}" if old.value else add
            table[name] = Var(value, old.simple, origin, loc, export)
        elif st.op == "!=":
            table[name] = Var(self.shell(self.expand(st.value)), True, origin, loc, export)
        else:
            table[name] = Var(st.value, False, origin, loc, export)

    def export(self, st: Export) -> None:
        if st.names is None:  # a bare `export`: every variable (`unexport`: none)
            if st.unexport:
                self.special.pop(".EXPORT_ALL_VARIABLES", None)
            else:
                self.special.setdefault(".EXPORT_ALL_VARIABLES", set())
            return
        for name in self.expand(st.names).split():
            if name in self.vars:
                self.vars[name].export = not st.unexport

    def rule(self, st: RuleStmt) -> None:
        targets = self.expand(st.targets).split()
        prereqs = [p for p in self.expand(st.prereqs).split()]
        loc = Loc(self.file, st.line)
        if st.pattern is not None:
            pattern = self.expand(st.pattern).strip()
            for t in targets:
                stem = pattern_match(pattern, t) if "%" in pattern else None
                if stem is None:
                    self.note(f"target {t!r} does not match the pattern {pattern!r}")
                    continue
                self._add(Rule((t,), tuple(p.replace("%", stem, 1) for p in prereqs), loc,
                               self.file, stem=stem))
            return
        if targets and targets[0].startswith(".") and "/" not in targets[0]:
            for t in targets:
                self.special.setdefault(t, set()).update(prereqs)
        self._add(Rule(tuple(targets), tuple(prereqs), loc, self.file, double=st.double))

    def _add(self, rule: Rule) -> None:
        self.rules.append(rule)
        self.current = rule
        if self.default_goal is None:
            for t in rule.targets:
                if "%" not in t and (not t.startswith(".") or "/" in t):
                    self.default_goal = t
                    break

    # ------------------------------------------------------------ expansion

    @contextlib.contextmanager
    def scope(self, values: dict[str, str]) -> Iterator[None]:
        self.scopes.append(values)
        try:
            yield
        finally:
            self.scopes.pop()

    def expand(self, text: str) -> str:
        if "$" not in text:
            return text
        out: list[str] = []
        i = 0
        while True:
            j = text.find("$", i)
            if j < 0:
                out.append(text[i:])
                return "".join(out)
            out.append(text[i:j])
            piece, i = self.reference(text, j)
            out.append(piece)

    def reference(self, text: str, i: int) -> tuple[str, int]:
        """The value of the reference starting at text[i] (a `$`) and the index after it."""
        if i + 1 >= len(text):
            return "", i + 1
        c = text[i + 1]
        if c == "$":
            return "$", i + 2
        if c in "({":
            end = makeparse.close_of(text, i + 1)
            if end < 0:
                raise self.fail("unterminated variable reference")
            return self.inner(text[i + 2 : end]), end + 1
        return self.variable(c), i + 2

    def inner(self, body: str) -> str:
        head = re.match(r"([a-z-]+)[ \t]", body)
        if head and head.group(1) in FUNCTIONS:
            name = head.group(1)
            rest = body[head.end() :].lstrip(" \t")
            args = split_args(rest, ARITY[name])
            if len(args) < (2 if name == "if" else ARITY[name]):
                raise self.fail(f"insufficient number of arguments ({len(args)}) to function "
                                f"`{name}`")
            return FUNCTIONS[name](self, args)
        name_raw, subst = body, None
        colon = makeparse.top_level(body, ":")
        if colon >= 0 and "=" in body[colon:]:
            name_raw = body[:colon]
            a, _, b = body[colon + 1 :].partition("=")
            subst = (self.expand(a), self.expand(b))
        value = self.variable(self.expand(name_raw))
        if subst is None:
            return value
        a, b = subst
        if "%" not in a:
            a, b = "%" + a, "%" + b
        return " ".join(patsubst_word(a, b, w) for w in value.split())

    def variable(self, name: str) -> str:
        for values in reversed(self.scopes):
            if name in values:
                return values[name]
        if len(name) == 2 and name[0] in _AUTOMATIC and name[1] in "DF":
            base = self.variable(name[0])
            parts = [posixpath.dirname(w) or "." if name[1] == "D" else posixpath.basename(w)
                     for w in base.split()]
            return " ".join(parts)
        var = self.vars.get(name)
        if var is None:
            if self.cond_depth or name in _AUTOMATIC:
                return ""
            # The shell reads the marker as an unknown parameter: it needs a shell name.
            return "${" + (name if name.isidentifier() else re.sub(r"\W", "_", name)) + "}"
        if var.simple:
            value = var.value
        elif name in self.expanding:
            raise self.fail(f"recursive variable {name!r} references itself")
        else:
            self.expanding.append(name)
            try:
                value = self.expand(var.value)
            finally:
                self.expanding.pop()
        # A value only the build host knows (a git sha, a date) is named by its variable, the
        # way the migrated build passes it on (`--build-arg TAG=...`).
        return "${" + name + "}" if _SHELL_ONLY.match(value) else value

    def raw_value(self, name: str) -> str | None:
        var = self.vars.get(name)
        return var.value if var is not None else None

    def origin(self, name: str) -> str:
        if any(name in s for s in self.scopes):
            return "automatic"
        var = self.vars.get(name)
        return "undefined" if var is None else var.origin

    def flavor(self, name: str) -> str:
        var = self.vars.get(name)
        return "undefined" if var is None else "simple" if var.simple else "recursive"

    def shell(self, command: str) -> str:
        from migrator.readers.makeshell import answer

        return answer(self, command)

    # ------------------------------------------------------------ paths

    def relative(self, path: str) -> str:
        """A path as make sees it (relative to CURDIR) as a project-relative path."""
        full = path if path.startswith("/") else posixpath.join(self.curdir, path)
        full = posixpath.normpath(full)
        if full == PROJECT:
            return "."
        return full[len(PROJECT) + 1 :] if full.startswith(PROJECT + "/") else full

    def unrelative(self, rel: str, pattern: str) -> str:
        """A project-relative path written the way `pattern` was (absolute or from CURDIR)."""
        full = posixpath.join(PROJECT, rel)
        if pattern.startswith("/"):
            return full
        return posixpath.relpath(full, self.curdir)
