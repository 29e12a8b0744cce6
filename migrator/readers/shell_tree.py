"""The shell parse tree and the small shapes the reader walks over.

tree-sitter-bash parses (docs/decisions/0002-shell-parser.md says why not bashlex); these helpers
give line numbers, character spans (tree-sitter counts bytes), and the pieces of a statement.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import Any

from migrator.model import Span, Word

_WRAPPERS = {"sudo", "exec", "command", "time", "nice", "nohup"}
_SUDO_OPTS_WITH_ARG = {"-u", "-g", "-h", "-p", "-C", "-U", "-r", "-t"}
# Node types that are one shell word (an argument, a command name, a redirect target).
WORDS = {"word", "string", "raw_string", "simple_expansion", "expansion", "concatenation",
         "number", "command_substitution", "ansi_c_string", "arithmetic_expansion",
         "process_substitution", "translated_string", "brace_expression"}
# A backslash followed only by blanks before the newline: the seed's broken continuation.
BROKEN_CONTINUATION = re.compile(r"^[ \t]*\\[ \t]+\n[ \t]*$")
_RESERVED = {"then", "else", "elif", "fi", "do", "done", "esac", "}", "in"}


class Lines:
    """Line numbers for offsets in one file."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        for i, c in enumerate(text):
            if c == "\n":
                self.starts.append(i + 1)

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


@dataclass(frozen=True)
class Frag:
    """A piece of shell text as the parser saw it, and where its characters are in the file.

    Plain scripts: the file's own text at `offset`. Makefile recipe lines: the text after make
    expanded its references, with `starts`/`ends` giving each character's source range.
    """

    text: str
    offset: int = 0
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def span(self, a: int, b: int) -> Span:
        if self.starts is None or self.ends is None:
            return Span(self.offset + a, self.offset + b)
        if a >= len(self.starts):
            end = self.offset + (self.ends[-1] if self.ends else 0)
            return Span(end, end)
        return Span(self.offset + self.starts[a], self.offset + self.ends[max(a, b - 1)])


class Positions:
    """tree-sitter counts bytes; the rest of migrator counts characters."""

    def __init__(self, text: str, data: bytes) -> None:
        self.ascii = len(text) == len(data)
        self.data = data

    def char(self, offset: int) -> int:
        if self.ascii:
            return offset
        return len(self.data[:offset].decode("utf-8", "replace"))

    def __call__(self, node: Any) -> tuple[int, int]:
        return self.char(node.start_byte), self.char(node.end_byte)


@functools.lru_cache(maxsize=1)
def parser() -> Any:
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


class Joined:
    """Two statements that a `\\ ` line ending split, read as one command."""

    type = "_joined"

    def __init__(self, first: Any, second: Any) -> None:
        self.parts = [first, second]
        self.start_byte = first.start_byte
        self.end_byte = second.end_byte


class Replaced:
    """A list whose first command was joined to the statement before it."""

    type = "_replaced"

    def __init__(self, original: Any, head: Any, joined: Joined) -> None:
        self.original = original
        self.head = head
        self.joined = joined
        self.start_byte = joined.start_byte
        self.end_byte = original.end_byte


def flatten(node: Any) -> tuple[list[Any], list[str]]:
    """The items and operators of a (left-nested) `&&`/`||` list."""
    if isinstance(node, Replaced):
        inner, inner_ops = flatten(node.original)
        return [node.joined if x is node.head else x for x in inner], inner_ops
    if node.type != "list":
        return [node], []
    items: list[Any] = []
    ops: list[str] = []
    for child in node.children:
        if child.type in ("&&", "||"):
            ops.append(child.type)
        elif child.is_named and child.type != "comment":
            sub_items, sub_ops = flatten(child)
            items.extend(sub_items)
            ops.extend(sub_ops)
    return items, ops


def first_command(node: Any) -> Any | None:
    if node.type == "command":
        return node
    if node.type == "list":
        return first_command(node.named_children[0]) if node.named_children else None
    return None


def unwrap(node: Any) -> tuple[Any | None, list[Any]]:
    """The statement and its redirections (a heredoc's own `> file` included)."""
    if node.type != "redirected_statement":
        return node, []
    body = node.child_by_field_name("body")
    redirects: list[Any] = []
    for child in node.named_children:
        if child is body or child == body:
            continue
        if child.type == "file_redirect":
            redirects.append(child)
        elif child.type == "heredoc_redirect":
            redirects.append(child)
            redirects.extend(c for c in child.named_children if c.type == "file_redirect")
    return body, redirects


class Glued:
    """Word pieces with nothing between them, read as the one word bash sees: tree-sitter-bash
    ends a word before a `$<digit>` that follows a `/` or `:` (`$1/tags/$2`, `x=$A:$2`)."""

    type = "concatenation"
    is_named = True

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts
        self.children = self.named_children = parts
        self.start_byte = parts[0].start_byte
        self.end_byte = parts[-1].end_byte


class GluedAssignment:
    """`X=x/$1/$2`: the assignment and the pieces tree-sitter cut off its value."""

    type = "variable_assignment"
    is_named = True

    def __init__(self, assignment: Any, rest: list[Any]) -> None:
        self.assignment = assignment
        value = assignment.child_by_field_name("value")
        self.value = Glued([value, *rest]) if value is not None else Glued(rest)
        self.children = self.named_children = [assignment.child_by_field_name("name"),
                                                self.value]
        self.start_byte = assignment.start_byte
        self.end_byte = rest[-1].end_byte

    def child_by_field_name(self, name: str) -> Any:
        return self.value if name == "value" else self.assignment.child_by_field_name(name)


def glue(children: list[Any]) -> list[Any]:
    """Join word nodes (and an assignment's value) that touch into one word."""
    out: list[Any] = []
    for child in children:
        words = child.named_children if child.type == "command_name" else [child]
        for c in words:
            prev = out[-1] if out else None
            if prev is not None and prev.end_byte == c.start_byte and c.type in WORDS \
                    and (prev.type in WORDS or prev.type == "variable_assignment"):
                if prev.type == "variable_assignment":
                    rest = [*prev.value.parts[1:], c] if isinstance(prev, GluedAssignment) else [c]
                    base = prev.assignment if isinstance(prev, GluedAssignment) else prev
                    out[-1] = GluedAssignment(base, rest)
                else:
                    out[-1] = Glued([*(prev.parts if isinstance(prev, Glued) else [prev]), c])
            else:
                out.append(c)
    return out


def command_parts(node: Any) -> tuple[list[Any], list[Any]]:
    """Leading `K=V` assignments and the word nodes of a command (of both halves if joined)."""
    if isinstance(node, Joined):
        first, second = node.parts
        a1, w1 = command_parts(first)
        _, w2 = command_parts(second)
        return a1, [*w1, *w2]
    assigns: list[Any] = []
    wordnodes: list[Any] = []
    for child in glue(list(node.named_children)):
        if child.type == "variable_assignment":
            assigns.append(child)
        elif child.type in WORDS:
            wordnodes.append(child)
    return assigns, wordnodes


def substitutions(node: Any) -> list[Any]:
    if node is None:
        return []
    if node.type == "command_substitution":
        return [node]
    return [s for c in node.named_children for s in substitutions(c)]


def first_error(node: Any) -> Any:
    stack = [node]
    while stack:
        n = stack.pop(0)
        if n.type == "ERROR" or n.is_missing:
            return n
        stack[:0] = list(n.children)
    return node


def stray_keyword(root: Any, data: bytes) -> Any | None:
    """A keyword where a command goes (`fi` with no `if`): tree-sitter reads it as a command
    name, bash stops with a syntax error."""
    stack = [root]
    while stack:
        n = stack.pop(0)
        if n.type == "command_name" and data[n.start_byte : n.end_byte].decode() in _RESERVED:
            return n
        stack[:0] = list(n.children)
    return None


def strip_wrappers(argv: list[Word]) -> list[Word]:
    """`sudo -E docker ...`, `env A=B docker ...` -> `docker ...`."""
    i = 0
    while i < len(argv):
        v = argv[i].value
        if v in _WRAPPERS:
            i += 1
            while i < len(argv) and argv[i].value.startswith("-"):
                i += 2 if argv[i].value in _SUDO_OPTS_WITH_ARG else 1
            continue
        if v == "env":
            i += 1
            while i < len(argv) and ("=" in argv[i].value or argv[i].value.startswith("-")):
                i += 1
            continue
        break
    return argv[i:]
