"""Read a Makefile target, with the prerequisites make would run first, into `Command` values.

tree-sitter-make parses (spans kept, nothing executed: `make -p` would run `$(shell ...)` from the
project). Variables are evaluated in file order as make does before running any recipe; each
recipe line is shell text, read by the shell reader with make references expanded first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from migrator.model import PROJECT, Command, Loc, Problem, Script, Span, Unsupported, warning
from migrator.readers import words
from migrator.readers.shell import Lines, Positions, ShellReader, _Frag, initial_frame

if TYPE_CHECKING:
    from migrator.readers.context import ReaderContext


@dataclass(frozen=True)
class Rule:
    targets: tuple[str, ...]
    prerequisites: tuple[str, ...]
    lines: tuple[tuple[Span, Span], ...]  # (whole recipe line incl. prefix, its shell text)
    loc: Loc


@dataclass(frozen=True)
class Makefile:
    path: str
    text: str
    variables: dict[str, str]
    rules: tuple[Rule, ...]
    problems: tuple[Problem, ...]
    curdir: str = PROJECT  # the directory make runs in (`-C dir`), absolute under PROJECT
    overrides: tuple[tuple[str, str], ...] = ()  # command-line `VAR=value`: beat assignments

    @property
    def default_goal(self) -> str | None:
        """What a bare `make` builds: `.DEFAULT_GOAL`, else the first ordinary target."""
        goal = self.variables.get(".DEFAULT_GOAL", "").strip()
        if goal:
            return goal
        found = self.targets()
        return found[0] if found else None

    def rule(self, target: str) -> Rule | None:
        for r in self.rules:
            if target in r.targets:
                return r
        return None

    def targets(self) -> tuple[str, ...]:
        seen: list[str] = []
        for r in self.rules:
            for t in r.targets:
                if not t.startswith(".") and "%" not in t and t not in seen:
                    seen.append(t)
        return tuple(seen)


def _parser() -> Any:
    import tree_sitter
    import tree_sitter_make

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_make.language()))


def parse_makefile(path: str, text: str, overrides: tuple[tuple[str, str], ...] = (),
                   curdir: str = PROJECT) -> Makefile:
    data = text.encode("utf-8")
    tree = _parser().parse(data)
    # tree-sitter speaks bytes; the rest of migrator speaks str offsets.
    to_char = Positions(text, data).char
    lines = Lines(text)
    # make's own MAKE, then the command line's VAR=value, which assignments do not change.
    variables: dict[str, str] = {"MAKE": "make", **dict(overrides)}
    fixed = {k for k, _ in overrides}
    simple: set[str] = set(variables)
    rules: list[Rule] = []
    problems: list[Problem] = []

    def src(node: Any) -> str:
        return data[node.start_byte : node.end_byte].decode("utf-8")

    def loc(node: Any) -> Loc:
        return Loc(path, node.start_point[0] + 1)

    def visit(node: Any) -> None:
        for child in node.children:
            kind = child.type
            if kind == "ERROR":
                raise Unsupported(loc(child), "cannot parse this Makefile line")
            if kind == "variable_assignment":
                assign(child)
            elif kind == "rule":
                rule(child)
            elif kind in ("conditional", "ifeq_directive", "ifneq_directive", "ifdef_directive",
                          "ifndef_directive"):
                problems.append(warning(loc(child), "make conditional: reading its first branch"))
                first = [c for c in child.children if c.type not in ("else_directive",
                                                                       "else", "endif")]
                for c in first:
                    if c.type == "else_directive":
                        break
                    visit_one(c)
            elif kind in ("include_directive", "define_directive"):
                problems.append(warning(loc(child), f"not following `{src(child).split()[0]}`"))
            elif kind == "export_directive":
                for c in child.children:
                    if c.type == "variable_assignment":
                        assign(c)

    def visit_one(node: Any) -> None:
        wrapper = type("W", (), {"children": [node]})
        visit(wrapper)

    def assign(node: Any) -> None:
        name_node = next((c for c in node.children if c.type == "word"), None)
        if name_node is None:
            return
        name = src(name_node).strip()
        if name in fixed:
            return
        op = next((c.type for c in node.children if c.type in
                   ("=", ":=", "::=", "?=", "+=", "!=")), "=")
        value_node = next((c for c in node.children if c.type in ("text", "shell_text")), None)
        value = src(value_node).strip() if value_node is not None else ""
        if op in (":=", "::="):
            variables[name] = words.expand_make(value, variables, curdir)
            simple.add(name)
        elif op == "?=":
            if name not in variables:
                variables[name] = value
        elif op == "+=":
            add = words.expand_make(value, variables, curdir) if name in simple else value
            variables[name] = f"{variables[name]} {add}" if variables.get(name) else add
        elif op == "!=":
            variables[name] = f"$(shell {value})"
        else:
            variables[name] = value
            simple.discard(name)

    def rule(node: Any) -> None:
        targets: list[str] = []
        prereqs: list[str] = []
        recipe_lines: list[tuple[Span, Span]] = []
        for c in node.children:
            if c.type == "targets":
                targets = words.expand_make(src(c), variables, curdir).split()
            elif c.type == "prerequisites":
                prereqs = [p for p in words.expand_make(src(c), variables, curdir).split()
                           if p != "|"]
            elif c.type == "recipe":
                for line in c.children:
                    if line.type != "recipe_line":
                        continue
                    shell = [x for x in line.children if x.type == "shell_text"]
                    if not shell:
                        continue
                    begin = to_char(shell[0].start_byte)
                    end = to_char(shell[-1].end_byte)
                    while begin < end and text[begin] in "@-+ \t":
                        begin += 1  # recipe prefixes: silent, ignore errors, always run
                    recipe_lines.append((
                        Span(to_char(line.start_byte), to_char(line.end_byte)),
                        Span(begin, end),
                    ))
        rules.append(Rule(tuple(targets), tuple(prereqs), tuple(recipe_lines), loc(node)))

    visit(tree.root_node)
    del lines
    return Makefile(path, text, variables, tuple(rules), tuple(problems), curdir, overrides)


def read_make(mk: Makefile, target: str, ctx: ReaderContext | None = None) -> Script:
    """The commands make runs for `target`: prerequisites depth-first, each rule once."""
    lines = Lines(mk.text)
    commands: list[Command] = []
    problems: list[Problem] = list(mk.problems)
    done: set[str] = set()

    def run(name: str, stack: tuple[str, ...]) -> None:
        if name in done or name in stack:
            return
        r = mk.rule(name)
        if r is None:
            return
        for p in r.prerequisites:
            run(p, (*stack, name))
        done.add(name)
        auto = dict(mk.variables)
        auto.update({"@": name, "<": r.prerequisites[0] if r.prerequisites else "",
                     "^": " ".join(r.prerequisites)})
        for whole, shell in r.lines:
            # Every recipe line is a shell of its own: cd and variables do not carry over.
            # make expands its references before the shell sees the line.
            raw = mk.text[shell.start : shell.end]
            text, starts, ends = words.expand_make_mapped(raw, auto, mk.curdir)
            reader = ShellReader(mk.path, mk.text, lines=lines, ctx=ctx)
            reader.read(_Frag(text, shell.start, starts, ends), initial_frame(cwd=mk.curdir))
            for cmd in reader.commands:
                if cmd.cut == shell:
                    cmd = replace(cmd, cut=whole)
                commands.append(cmd)
            problems.extend(reader.problems)

    run(target, ())
    return Script(mk.path, mk.text, "make", tuple(commands), tuple(problems), target)
