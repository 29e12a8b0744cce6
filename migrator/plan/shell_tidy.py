"""What deleting commands can leave behind in a shell script that bash will not run: an `if`
branch, a loop body or a `{ }` group with no command in it.

A compound statement all of whose bodies became empty goes; an empty `else` goes; an empty
branch beside a kept one, or an empty function body, gets `:` (bash needs a command there).
"""

from __future__ import annotations

from typing import Any

from migrator.model import Span
from migrator.splice import Edit, apply

_QUIET = {"comment"}


def _empty(nodes: list[Any]) -> bool:
    return all(not n.is_named or n.type in _QUIET for n in nodes)


def _after(node: Any, keyword: str, stop: set[str]) -> tuple[Any, list[Any]]:
    """The `keyword` child and the children after it up to one of `stop`."""
    kids = node.children
    at = next(i for i, c in enumerate(kids) if c.type == keyword)
    body = []
    for c in kids[at + 1 :]:
        if c.type in stop:
            break
        body.append(c)
    return kids[at], body


def _if_fix(node: Any) -> tuple[str, Any, Any] | None:
    """("drop", node) / ("fill", after-this) for an `if` with empty parts, else None."""
    then, body = _after(node, "then", {"elif_clause", "else_clause", "fi"})
    branches = [(then, body)]
    elses = []
    for c in node.children:
        if c.type == "elif_clause":
            branches.append(_after(c, "then", set()))
        elif c.type == "else_clause":
            elses.append(c)
            branches.append(_after(c, "else", set()))
    if all(_empty(b) for _, b in branches):
        return ("drop", node, None)
    for c in elses:
        if _empty(_after(c, "else", set())[1]):
            return ("drop", c, None)
    for token, b in branches:
        if _empty(b):
            return ("fill", token, None)
    return None


def _fix(node: Any) -> tuple[str, Any, Any] | None:
    if node.type == "if_statement":
        found = _if_fix(node)
        if found:
            return found
    elif node.type == "do_group" and _empty(node.children[1:-1]):
        return ("drop", node.parent, None)
    elif node.type in ("compound_statement", "subshell") and _empty(node.children[1:-1]):
        if node.parent is not None and node.parent.type == "function_definition":
            return ("fill", node.children[0], None)
        return ("drop", node, None)
    for c in node.children:
        found = _fix(c)
        if found:
            return found
    return None


def tidy(text: str) -> str:
    """`text` with every empty compound body settled (one at a time: a drop can empty the
    statement around it)."""
    from migrator.readers.shell_tree import Positions, parser

    for _ in range(50):
        data = text.encode("utf-8")
        root = parser().parse(data).root_node
        found = _fix(root)
        if found is None:
            return text
        what, node, _ = found
        pos = Positions(text, data)
        start, end = pos.char(node.start_byte), pos.char(node.end_byte)
        if what == "drop":
            text = apply(text, [Edit(Span(start, end), "")])
        else:
            text = text[:end] + " :" + text[end:]
    return text
