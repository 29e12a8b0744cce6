"""Makefile text into a flat list of statements, in file order, with their places.

tree-sitter-make finds the structure (rules, recipes, conditionals, define, include). Its grammar
cannot read parentheses, quotes or commas inside a function's arguments (`$(warning goal(s))`
is an ERROR), so every `$(...)`/`${...}` is masked first: its inside, after the function or
variable name, is replaced by same-length filler (newlines and `#` kept). The statements carry
the original text of each part, sliced by span, never the masked text
(docs/decisions/0003-makefile-reader.md). Nothing is evaluated here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from migrator.model import Loc, Span, Unsupported
from migrator.readers.shell import Positions


@dataclass(frozen=True)
class Assign:
    name: str  # raw: may hold references
    op: str  # "=", ":=", "::=", "?=", "+=", "!="
    value: str  # raw
    line: int
    override: bool = False
    export: bool = False
    targets: str | None = None  # raw target list of a target- or pattern-specific variable


@dataclass(frozen=True)
class RuleStmt:
    targets: str  # raw
    prereqs: str  # raw, order-only part removed
    line: int
    double: bool = False  # `::`
    pattern: str | None = None  # a static pattern rule's target pattern (raw)


@dataclass(frozen=True)
class RecipeLine:
    """One recipe line: its text as make reads it (prefixes included) and where it is."""

    text: str
    line: int
    whole: Span  # the line in the file, prefixes included
    shell: Span  # the shell text (prefixes included; the reader strips them)
    generated: bool = False  # from `$(eval ...)`: not text of the file


@dataclass(frozen=True)
class Cond:
    """`ifeq`/`ifneq`/`ifdef`/`ifndef` with else-if arms and an else arm."""

    arms: tuple[tuple[str, tuple[str, ...], tuple[Stmt, ...]], ...]  # (kind, args, body)
    other: tuple[Stmt, ...]
    line: int


@dataclass(frozen=True)
class Include:
    names: str  # raw
    optional: bool
    line: int


@dataclass(frozen=True)
class Export:
    names: str | None  # raw; None: every variable
    unexport: bool
    line: int


@dataclass(frozen=True)
class Expr:
    """A line that is only an expansion: `$(eval ...)`, `$(info ...)`, `$(call ...)`."""

    text: str
    line: int


Stmt = Assign | RuleStmt | RecipeLine | Cond | Include | Export | Expr
_OPS = ("=", ":=", "::=", "?=", "+=", "!=")
_CONDITION_LINE = re.compile(r"[ \t]*(else[ \t]+)?ifn?eq\b")
_CONDITIONALS = ("ifeq_directive", "ifneq_directive", "ifdef_directive", "ifndef_directive")


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_make

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_make.language()))


def close_of(text: str, i: int, line: bool = False) -> int:
    """Index of the `)`/`}` closing the reference opened at text[i] (`(` or `{`), or -1.

    make counts only the delimiter that opened the reference; quotes mean nothing to it. An
    unescaped newline ends the search when `line` is set (an unclosed reference stays on its
    line).
    """
    open_ = text[i]
    close = ")" if open_ == "(" else "}"
    depth = 0
    for j in range(i, len(text)):
        c = text[j]
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return j
        elif c == "\n" and line and text[j - 1] != "\\":
            return -1
    return -1


def mask(data: bytes) -> bytes:
    """The text with the inside of every reference filled, byte for byte the same length, and
    bare parentheses outside references filled too (the grammar reads `X = a (b)` as an archive
    member), except on `ifeq`/`ifneq` lines, whose parentheses are syntax."""
    out = bytearray(data)
    text = data.decode("latin-1")  # one char per byte: offsets stay byte offsets
    bare = not _CONDITION_LINE.match(text)
    i = 0
    while i < len(text) - 1:
        c = text[i]
        if c == "\n":
            bare = not _CONDITION_LINE.match(text, i + 1)
        elif c == "$" and text[i + 1] == "$":
            i += 2
            continue
        elif c == "$" and text[i + 1] in "({":
            end = close_of(text, i + 1, line=True)
            if end >= 0:
                _fill(text, out, i + 2, end)
                i = end + 1
                continue
        elif c in "()" and bare:
            out[i] = ord("_")
        i += 1
    return bytes(out)


def _fill(text: str, out: bytearray, k: int, end: int) -> None:
    while k < end and (text[k].isalnum() or text[k] in "_-."):
        k += 1  # the function or variable name stays readable
    if k < end and text[k] in " \t":
        k += 1  # and stays a function call
    for m in range(k, end):
        if text[m] not in "\n\\#":
            out[m] = ord("_")


class _Reader:
    def __init__(self, path: str, text: str, line0: int, at: Span | None) -> None:
        self.path = path
        self.text = text
        self.data = text.encode("utf-8")
        self.pos = Positions(text, self.data)
        self.line0 = line0  # the line the text starts at (an `$(eval)`'s line)
        self.at = at  # generated text: every recipe line maps to this span of the file

    def src(self, node: Any) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8")

    def line(self, node: Any) -> int:
        return self.line0 if self.at is not None else self.line0 + node.start_point[0]

    def statements(self, nodes: list[Any]) -> list[Stmt]:
        out: list[Stmt] = []
        for node in nodes:
            out.extend(self.statement(node))
        return out

    def statement(self, node: Any, override: bool = False, export: bool = False) -> list[Stmt]:
        kind = node.type
        if kind == "ERROR" or node.is_missing:
            raise Unsupported(Loc(self.path, self.line(node)), "cannot parse this Makefile line")
        if kind == "variable_assignment":
            return [self.assign(node, override, export)]
        if kind == "define_directive":
            return [self.define(node, override, export)]
        if kind in ("override_directive", "export_directive", "unexport_directive"):
            return self.modifier(node, override, export)
        if kind == "rule":
            return self.rule(node)
        if kind == "conditional":
            return [self.conditional(node)]
        if kind == "include_directive":
            word = node.children[0].type
            names = " ".join(self.src(c) for c in node.named_children)
            return [Include(names, word in ("-include", "sinclude"), self.line(node))]
        if kind in ("function_call", "variable_reference", "shell_function"):
            return [Expr(_logical(self.src(node)), self.line(node))]
        if kind == "recipe_line":
            return [self.recipe_line(node)]
        return []  # comments, vpath, blank lines

    def modifier(self, node: Any, override: bool, export: bool) -> list[Stmt]:
        kind = node.type
        inner = [c for c in node.named_children if c.type != "comment"]
        if kind == "override_directive":
            return [s for c in inner for s in self.statement(c, True, export)]
        if inner and inner[0].type in ("variable_assignment", "define_directive"):
            exported = kind == "export_directive"
            return [s for c in inner for s in self.statement(c, override, exported)]
        names = " ".join(self.src(c) for c in inner) or None
        return [Export(names, kind == "unexport_directive", self.line(node))]

    def assign(self, node: Any, override: bool, export: bool) -> Assign:
        op_node = next(c for c in node.children if c.type in _OPS)
        name_node = next(c for c in node.children if c.type == "word"
                         and c.start_byte < op_node.start_byte)
        targets = None
        colon = next((c for c in node.children if c.type == ":"), None)
        if colon is not None:
            targets = self.data[node.start_byte : colon.start_byte].decode().strip()
        value = self.data[op_node.end_byte : node.end_byte].decode("utf-8")
        name, op = self.src(name_node), op_node.type
        while name[-1:] in ("?", "+", ":", "!") and op in ("=", ":="):
            name, op = name[:-1], name[-1] + op  # `ARCH?=amd64`: the grammar splits `ARCH?`
        return Assign(name.strip(), op, _value(_logical(value)), self.line(node), override,
                      export, targets)

    def define(self, node: Any, override: bool, export: bool) -> Assign:
        name = next(c for c in node.named_children if c.type == "word")
        op = next((c.type for c in node.children if c.type in _OPS), "=")
        body = next((self.src(c) for c in node.named_children if c.type == "raw_text"), "")
        return Assign(self.src(name), op, body.removesuffix("\n"), self.line(node), override,
                      export)

    def rule(self, node: Any) -> list[Stmt]:
        kids = node.children
        colons = [c for c in kids if c.type in (":", "::", "&:", "&::")]
        first = colons[0]
        targets = _logical(self.data[node.start_byte : first.start_byte].decode("utf-8").strip())
        pattern = None
        if len(colons) > 1:  # static pattern rule: targets : pattern : prerequisite patterns
            pattern = " ".join(self.src(c) for c in kids if c.type == "pattern_list"
                               and first.end_byte <= c.start_byte < colons[1].start_byte)
        last = colons[-1]
        prereqs = []
        for c in kids:
            if c.type == "|":
                break
            if c.start_byte >= last.end_byte and c.type in ("prerequisites", "pattern_list"):
                prereqs.append(self.src(c))
        out: list[Stmt] = [RuleStmt(targets, _logical(" ".join(prereqs)), self.line(node),
                                    first.type.endswith("::"), pattern)]
        for c in kids:
            if c.type == "recipe":
                out.extend(self.statements([r for r in c.children if r.is_named]))
        return out

    def recipe_line(self, node: Any) -> RecipeLine:
        shell = [x for x in node.children if x.type == "shell_text"]
        first = shell[0] if shell else node
        last = shell[-1] if shell else node
        a, b = self.pos.char(first.start_byte), self.pos.char(last.end_byte)
        whole = Span(self.pos.char(node.start_byte), self.pos.char(node.end_byte))
        text = self.text[a:b]
        if self.at is not None:
            return RecipeLine(text, self.line0, self.at, self.at, True)
        return RecipeLine(text, self.line(node), whole, Span(a, b))

    def conditional(self, node: Any) -> Cond:
        arms: list[tuple[str, tuple[str, ...], tuple[Stmt, ...]]] = []
        other: tuple[Stmt, ...] = ()
        head: Any = None
        body: list[Any] = []
        for c in node.children:
            if c.type in _CONDITIONALS:
                head = c
            elif c.type in ("elsif_directive", "else_directive", "endif"):
                if head is not None:
                    arms.append(self.arm(head, body))
                    head, body = None, []
                if c.type == "elsif_directive":
                    inner = [x for x in c.named_children if x.type in _CONDITIONALS]
                    rest = [x for x in c.named_children if x.type not in _CONDITIONALS]
                    arms.append(self.arm(inner[0], rest))
                elif c.type == "else_directive":
                    other = tuple(self.statements(list(c.named_children)))
            elif c.is_named:
                body.append(c)
        return Cond(tuple(arms), other, self.line(node))

    def arm(self, head: Any, body: list[Any]) -> tuple[str, tuple[str, ...], tuple[Stmt, ...]]:
        kind = head.type.removesuffix("_directive")
        words = [c for c in head.children if c.is_named]
        raw = self.data[head.children[0].end_byte : head.end_byte].decode("utf-8")
        if kind in ("ifdef", "ifndef"):
            args: tuple[str, ...] = (raw.strip(),)
        else:
            args = _condition_args(raw.strip())
        if not args:
            raise Unsupported(Loc(self.path, self.line(head)), f"cannot read this {kind}")
        del words
        return kind, args, tuple(self.statements(body))


def _logical(text: str) -> str:
    """Outside recipes a backslash-newline and the blanks around it are one space."""
    return re.sub(r"[ \t]*\\\n[ \t]*", " ", text) if "\\\n" in text else text


def _value(raw: str) -> str:
    """An assignment's value: leading blanks dropped, a trailing comment and newline too. A `#`
    inside a reference is text (GNU make 4.3); `\\#` is a literal `#`."""
    value = raw.lstrip(" \t")
    at = 0
    while True:
        hash_ = top_level(value, "#", at)
        if hash_ < 0:
            break
        if hash_ > 0 and value[hash_ - 1] == "\\":
            value = value[: hash_ - 1] + value[hash_:]
            at = hash_
            continue
        value = value[:hash_]
        break
    return value.rstrip("\n").rstrip()


def top_level(text: str, char: str, start: int = 0) -> int:
    """Index of the first `char` at or after `start` outside any `(...)`/`{...}`, or -1."""
    depth = 0
    for i in range(start, len(text)):
        c = text[i]
        if c in "({":
            depth += 1
        elif c in ")}":
            depth -= 1
        elif c == char and depth == 0:
            return i
    return -1


def _condition_args(raw: str) -> tuple[str, ...]:
    """`(a,b)` or `"a" "b"` / `'a' 'b'` into its two arguments."""
    if raw.startswith("("):
        end = close_of(raw, 0)
        inner = raw[1:end] if end > 0 else raw[1:]
        comma = top_level(inner, ",")
        return (inner[:comma].strip(), inner[comma + 1 :].strip()) if comma >= 0 else ()
    parts: list[str] = []
    i = 0
    while i < len(raw) and len(parts) < 2:
        q = raw[i]
        if q in "'\"":
            j = raw.find(q, i + 1)
            if j < 0:
                return ()
            parts.append(raw[i + 1 : j])
            i = j + 1
        else:
            i += 1
    return tuple(parts) if len(parts) == 2 else ()


def parse(path: str, text: str, line0: int = 1, at: Span | None = None) -> list[Stmt]:
    """The statements of Makefile text; `at` marks text `$(eval ...)` generated at that span."""
    reader = _Reader(path, text, line0, at)
    tree = _parser().parse(mask(reader.data))
    return reader.statements([c for c in tree.root_node.children if c.is_named])
