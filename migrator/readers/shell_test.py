"""`[ ... ]`, `[[ ... ]]` and `test`: the exit status when every word in it is known.

A variable the files never set reads as unset here (the environment is never read); an entry
point's arguments and values the files make unknown leave the status unknown (None). File tests
(`-f`, `-d`, `-e`) are decided by the project's own files, as in a clean checkout.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from migrator.model import PROJECT
from migrator.readers.shell_frame import Frame
from migrator.readers.shell_words import glob_match
from migrator.readers.words import host_path

if TYPE_CHECKING:
    from migrator.readers.shell import ShellReader

_FILE_TESTS = {"-f", "-e", "-d", "-x", "-r", "-s", "-a"}
_INT_OPS = {"-eq": int.__eq__, "-ne": int.__ne__, "-lt": int.__lt__, "-le": int.__le__,
            "-gt": int.__gt__, "-ge": int.__ge__}


def _string(op: str, left: str, right: str, glob: bool) -> bool | None:
    if op in ("=", "=="):
        return glob_match(left, right) if glob else left == right
    if op == "!=":
        return not glob_match(left, right) if glob else left != right
    if op == "=~":
        try:
            return re.search(right, left) is not None
        except re.error:
            return None
    if op in _INT_OPS:
        try:
            return bool(_INT_OPS[op](int(left), int(right)))
        except ValueError:
            return False  # `[ "" -eq 1 ]` is an error: a false test
    if op == "<":
        return left < right
    if op == ">":
        return left > right
    return None


def _unary(op: str, value: str, r: ShellReader | None = None,
           frame: Frame | None = None) -> bool | None:
    if op == "-z":
        return value == ""
    if op == "-n":
        return value != ""
    if op in _FILE_TESTS and r is not None and frame is not None:
        return _file_test(op, value, r, frame)
    if op == "-t" and value.isdigit():  # `[ -t 0 ] && RUN_ARGS+=(-it)`
        if r is not None:
            note = f"[ -t {value} ] is read as false: a build runs without a terminal"
            if note not in r.shared.notes:
                r.shared.notes.append(note)
        return False
    return None


def _file_test(op: str, path: str, r: ShellReader, frame: Frame) -> bool | None:
    """`[ -f Dockerfile.local ]`: decided by the project's own files (a clean checkout)."""
    ctx = r.shared.ctx
    full = host_path(path, frame.cwd).rstrip("/")
    rel = full.removeprefix(PROJECT + "/")
    if ctx is None or rel == full or "$" in rel:
        return None
    is_file = ctx.is_file(rel)
    is_dir = any(f.startswith(rel + "/") for f in ctx.files)
    return is_dir if op == "-d" else is_file if op in ("-f", "-x", "-r", "-s") else \
        is_file or is_dir


def evaluate_test(r: ShellReader, node: Any, frame: Frame) -> bool | None:
    """A `test_command` node (`[ ... ]` or `[[ ... ]]`)."""
    glob = node.children[0].type == "[[" if node.children else False
    inner = [c for c in node.named_children if c.type != "comment"]
    if len(inner) != 1:
        return None
    return _expression(r, inner[0], frame, glob)


def _value(r: ShellReader, node: Any, frame: Frame) -> str | None:
    w = r.word(node, frame, deciding=True)
    return w.value if w.known else None


def _expression(r: ShellReader, node: Any, frame: Frame, glob: bool) -> bool | None:
    kind = node.type
    if kind == "parenthesized_expression":
        inner = [c for c in node.named_children if c.type != "comment"]
        return _expression(r, inner[0], frame, glob) if len(inner) == 1 else None
    if kind == "unary_expression":
        op_node = node.child_by_field_name("operator") or node.children[0]
        op = r.text_of(op_node)
        operand = [c for c in node.named_children if c is not op_node and c != op_node]
        if op == "!" and operand:
            value = _expression(r, operand[0], frame, glob)
            return None if value is None else not value
        if not operand:
            return None
        text = _value(r, operand[0], frame)
        return None if text is None else _unary(op, text, r, frame)
    if kind == "binary_expression":
        return _binary(r, node, frame, glob)
    text = _value(r, node, frame)
    return None if text is None else text != ""


def _binary(r: ShellReader, node: Any, frame: Frame, glob: bool) -> bool | None:
    left_node = node.child_by_field_name("left")
    right_node = node.child_by_field_name("right")
    op_node = node.child_by_field_name("operator")
    if left_node is None or right_node is None or op_node is None:
        return None
    op = r.text_of(op_node)
    if op in ("&&", "-a", "||", "-o"):
        a = _expression(r, left_node, frame, glob)
        b = _expression(r, right_node, frame, glob)
        if op in ("&&", "-a"):
            return False if False in (a, b) else None if None in (a, b) else True
        return True if True in (a, b) else None if None in (a, b) else False
    left = _value(r, left_node, frame)
    right = _value(r, right_node, frame)
    if left is None or right is None:
        return None
    return _string(op, left, right, glob)


def test_words(r: ShellReader, node: Any, frame: Frame) -> bool | None:
    """`test X = Y`, `[ ... ]` read as a command, `true`, `false`."""
    name = node.child_by_field_name("name")
    if name is None:
        return None
    head = r.text_of(name)
    if "$" in head and name.named_children:  # `if $CLEAN_BUILD; then`: the value is the command
        head = _value(r, name.named_children[0], frame) or head
    if head in ("true", ":"):
        return True
    if head == "false":
        return False
    if head not in ("test", "["):
        return None
    args = [c for c in node.named_children if c is not name and c != name]
    values = [_value(r, a, frame) for a in args]
    if head == "[" and values and values[-1] == "]":
        values.pop()
    if any(v is None for v in values):
        return None
    words = [v for v in values if v is not None]
    if len(words) == 1:
        return words[0] != ""
    if len(words) == 2:
        return _unary(words[0], words[1], r, frame) if words[0] != "!" else words[1] == ""
    if len(words) == 3:
        return _string(words[1], words[0], words[2], glob=False)
    return None
