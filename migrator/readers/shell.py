"""Read shell text (a build script, or one Makefile recipe line) into `Command` values.

tree-sitter-bash parses (docs/decisions/0002-shell-parser.md says why not bashlex); this module
walks the tree in execution order, following variables, functions called with arguments, `cd`,
subshells and captured command output, and records each simple command with its evaluated words
and its place in the file. It only reads.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from migrator.model import (
    PROJECT,
    Command,
    Loc,
    Problem,
    Redirect,
    Script,
    Span,
    Unsupported,
    Word,
    warning,
)
from migrator.readers import words

if TYPE_CHECKING:
    from migrator.readers.context import ReaderContext

_WRAPPERS = {"sudo", "exec", "command", "time", "nice", "nohup"}
_SUDO_OPTS_WITH_ARG = {"-u", "-g", "-h", "-p", "-C", "-U", "-r", "-t"}
# Node types that are one shell word (an argument, a command name, a redirect target).
_WORDS = {"word", "string", "raw_string", "simple_expansion", "expansion", "concatenation",
          "number", "command_substitution", "ansi_c_string", "arithmetic_expansion",
          "process_substitution", "translated_string", "brace_expression"}
_CONDITIONAL = {"if_statement", "elif_clause", "else_clause", "for_statement",
                "c_style_for_statement", "while_statement", "case_statement", "case_item"}
_SEQUENCES = {"program", "compound_statement", "do_group", "subshell"}
_RESERVED = {"then", "else", "elif", "fi", "do", "done", "esac", "}", "in"}
# A backslash followed only by blanks before the newline: the seed's broken continuation.
_BROKEN_CONTINUATION = re.compile(r"^[ \t]*\\[ \t]+\n[ \t]*$")


class Lines:
    """Line numbers for offsets in one file."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        for i, c in enumerate(text):
            if c == "\n":
                self.starts.append(i + 1)

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


@dataclass
class _Frame:
    """Mutable walking state; copied for subshells and function calls."""

    cwd: str
    env: dict[str, str | None]
    args: tuple[str, ...]
    calls: tuple[Command, ...] = ()
    conditional: bool = False
    saved: dict[str, tuple[bool, str | None]] | None = None  # values `local` will restore


@dataclass(frozen=True)
class _Frag:
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
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


class _Joined:
    """Two statements that a `\\ ` line ending split, read as one command."""

    type = "_joined"

    def __init__(self, first: Any, second: Any) -> None:
        self.parts = [first, second]
        self.start_byte = first.start_byte
        self.end_byte = second.end_byte


class ShellReader:
    """Walks the shell text of one file (a script, or Makefile recipe lines)."""

    def __init__(self, path: str, text: str, *, lines: Lines | None = None,
                 script_dir: str = PROJECT, ctx: ReaderContext | None = None) -> None:
        self.path = path
        self.ctx = ctx  # follows commands that run other project files
        self.text = text
        self.lines = lines or Lines(text)
        self.script_dir = script_dir
        self.functions: dict[str, tuple[Any, _Frag, Positions]] = {}
        self.definitions: dict[str, Span] = {}
        self.commands: list[Command] = []
        self.problems: list[Problem] = []
        self._pipes = 0
        self._frag = _Frag("")
        self._pos = Positions("", b"")

    # ------------------------------------------------------------ entry points

    def read(self, frag: _Frag, frame: _Frame) -> None:
        data = frag.text.encode("utf-8")
        tree = _parser().parse(data)
        self._frag, self._pos = frag, Positions(frag.text, data)
        bad = _first_error(tree.root_node) if tree.root_node.has_error else _stray_keyword(
            tree.root_node, data)
        if bad is not None:
            a, _ = self._pos(bad)
            near = frag.text[a : a + 20].split("\n")[0].strip()
            what = f"near {near!r}" if near else "unexpected end of the text"
            raise Unsupported(self.loc(frag.span(a, a + 1).start),
                              f"cannot parse shell: syntax error {what}")
        self.sequence(tree.root_node, frame)

    def loc(self, offset: int) -> Loc:
        return Loc(self.path, self.lines.line(offset))

    def span(self, node: Any) -> Span:
        return self._frag.span(*self._pos(node))

    def source(self, node: Any) -> tuple[str, str, Span]:
        """What the parser saw (make-expanded), the file's own text, and the span."""
        a, b = self._pos(node)
        span = self._frag.span(a, b)
        return self._frag.text[a:b], self.text[span.start : span.end], span

    # ------------------------------------------------------------ walking

    def sequence(self, node: Any, frame: _Frame) -> None:
        """Statements in order (a script, a `{ }` group, a `do ... done` body, a subshell)."""
        items = [c for c in node.named_children if c.type != "comment"]
        items = self._join_broken_continuations(items)
        for i, item in enumerate(items):
            a, b = self._pos(item)
            cut_end = b
            if i + 1 < len(items):
                na = self._pos(items[i + 1])[0]
                if "\n" not in self._frag.text[b:na]:
                    cut_end = na  # `a; b` on one line: take the `;` with it
            self.walk(item, frame, self._frag.span(a, cut_end))

    def _join_broken_continuations(self, items: list[Any]) -> list[Any]:
        """A backslash followed by spaces ends the line in a real shell; the intent is plain:
        the next line, starting with an option, continues the command. Join and warn."""
        out: list[Any] = []
        for item in items:
            prev = out[-1] if out else None
            head = _first_command(item)
            if prev is not None and head is not None and prev.type in ("command", "_joined"):
                gap = self._frag.text[self._pos(prev)[1] : self._pos(head)[0]]
                if _BROKEN_CONTINUATION.match(gap):
                    self.problems.append(warning(
                        self.loc(self.span(prev).end),
                        "backslash followed by spaces does not continue the line in a real "
                        "shell; read as a continuation (remove the trailing spaces)"))
                    joined = _Joined(prev, head)
                    out[-1] = joined if head is item else _Replaced(item, head, joined)
                    continue
            out.append(item)
        return out

    def walk(self, node: Any, frame: _Frame, cut: Span) -> None:
        kind = node.type
        if kind in ("command", "redirected_statement", "_joined"):
            self.command(node, frame, cut)
        elif kind == "variable_assignment":
            self.assign([node], frame, cut, command=False)
        elif kind == "variable_assignments":
            self.assign(node.named_children, frame, cut, command=False)
        elif kind == "declaration_command":
            self.declare(node, frame, cut)
        elif kind in ("list", "_replaced"):
            self.walk_list(node, frame)
        elif kind == "pipeline":
            self._pipes += 1
            pid = self._pipes
            for i, part in enumerate(p for p in node.named_children if p.type != "comment"):
                if part.type in ("command", "redirected_statement"):
                    self.command(part, frame, cut, pipe=(pid, i))
                else:
                    self.walk(part, frame, cut)
        elif kind == "subshell":
            self.sequence(node, _copy(frame))
        elif kind in _SEQUENCES:
            self.sequence(node, frame)
        elif kind in _CONDITIONAL:
            inner = replace(frame, conditional=True)
            if kind == "for_statement":
                var = node.child_by_field_name("variable")
                if var is not None:
                    frame.env[self.source(var)[0]] = None
            for child in node.named_children:
                if child.type in _WORDS or child.type in ("variable_name", "comment"):
                    continue
                self.walk(child, inner, self.span(child))
        elif kind == "negated_command":
            for child in node.named_children:
                self.walk(child, frame, cut)
        elif kind == "function_definition":
            name = self.source(node.child_by_field_name("name"))[0]
            body = node.child_by_field_name("body")
            self.functions[name] = (body, self._frag, self._pos)
            self.definitions[name] = self.span(node)
        # tests, comments and the like carry no command

    def walk_list(self, node: Any, frame: _Frame) -> None:
        """`a && b || c`: tree-sitter nests lists to the left; walk the items in order."""
        items, ops = _flatten(node)
        after_or = False
        for i, item in enumerate(items):
            a, b = self._pos(item)
            if i + 1 < len(items):
                cut = self._frag.span(a, self._pos(items[i + 1])[0])
            elif i > 0:
                cut = self._frag.span(self._pos(items[i - 1])[1], b)
            else:
                cut = self._frag.span(a, b)
            # Only the command right after `||` may not run; `&&` and `;` start afresh.
            self.walk(item, replace(frame, conditional=True) if after_or else frame, cut)
            after_or = i < len(ops) and ops[i] == "||"

    # ------------------------------------------------------------ words

    def fields(self, node: Any, frame: _Frame) -> list[Word]:
        """The words one source word becomes after expansion (field splitting included)."""
        text, raw, span = self.source(node)
        if text in ('"$@"', '"${@}"', "$@", "${@}"):
            return [Word(raw, a, span, True, True) for a in frame.args]
        values, known = words.evaluate(text, lambda n: _lookup(frame, n), frame.cwd,
                                       self.script_dir)
        return [Word(raw, v, span, known, len(values) > 1) for v in values]

    def word(self, node: Any, frame: _Frame) -> Word:
        found = self.fields(node, frame)
        if len(found) == 1:
            return found[0]
        _, raw, span = self.source(node)
        return Word(raw, " ".join(w.value for w in found), span, all(w.known for w in found))

    # ------------------------------------------------------------ statements

    def assign(self, nodes: list[Any], frame: _Frame, cut: Span, command: bool) -> None:
        for a in nodes:
            name_node = a.child_by_field_name("name")
            value_node = a.child_by_field_name("value")
            if name_node is None:
                continue
            name = self.source(name_node)[0]
            for sub in _substitutions(value_node):
                inner = [c for c in sub.named_children if c.type != "comment"]
                if len(inner) == 1 and inner[0].type in ("command", "redirected_statement"):
                    self.command(inner[0], frame, cut, captured=name)
            if value_node is None:
                value, known = "", True
            elif value_node.type == "array":
                value, known = "", False
            else:
                w = self.word(value_node, frame)
                value, known = w.value, w.known
            if not command:
                frame.env[name] = value if known else None

    def declare(self, node: Any, frame: _Frame, cut: Span) -> None:
        keyword = node.children[0].type if node.children else ""
        for child in node.named_children:
            if child.type == "variable_assignment":
                name_node = child.child_by_field_name("name")
                name = self.source(name_node)[0] if name_node is not None else ""
            elif child.type == "variable_name":
                name = self.source(child)[0]
            else:
                continue
            if keyword == "local" and frame.saved is not None and name not in frame.saved:
                frame.saved[name] = (name in frame.env, frame.env.get(name))
            if child.type == "variable_assignment":
                self.assign([child], frame, cut, command=False)

    def command(self, node: Any, frame: _Frame, cut: Span,
                pipe: tuple[int, int] | None = None, captured: str | None = None) -> None:
        body, redirects = _unwrap(node)
        if body is None:
            return
        if body.type not in ("command", "_joined"):
            self.walk(body, frame, cut)  # `{ ...; } > log`: the group, its output redirected
            return
        assigns, wordnodes = _command_parts(body)
        span = self.span(node)
        env_pairs: list[tuple[str, str]] = []
        if assigns:
            self.assign(assigns, frame, cut, command=bool(wordnodes))
            for a in assigns if wordnodes else ():
                value = a.child_by_field_name("value")
                env_pairs.append((self.source(a.child_by_field_name("name"))[0],
                                  self.word(value, frame).value if value is not None else ""))
        if not wordnodes:
            return
        argv = [w for n in wordnodes for w in self.fields(n, frame)]
        # Words that one source word (`$(BUILD_ARGS)`, an unquoted `$FLAGS`) expanded to.
        shared = {w.span for w in argv if sum(x.span == w.span for x in argv) > 1}
        argv = _strip_wrappers([replace(w, split=True) if w.span in shared else w
                                for w in argv])
        if not argv:
            return
        name = argv[0].value
        cmd = Command(
            argv=tuple(argv),
            loc=self.loc(span.start),
            span=span,
            cut=cut,
            cwd=frame.cwd,
            redirects=tuple(self.redirect(r, frame) for r in redirects),
            pipe=pipe,
            calls=frame.calls,
            conditional=frame.conditional,
            env=tuple(env_pairs),
            file=self.path,
            captured=captured,
        )
        if name == "cd":
            target = argv[1].value if len(argv) > 1 else None
            if target is None or target == "-":
                frame.cwd = frame.env.get("HOME") or "${HOME}"
            else:
                frame.cwd = words.host_path(target, frame.cwd).rstrip("/").removesuffix("/.")
            return
        if name in self.functions:
            fbody, ffrag, fpos = self.functions[name]
            inner = _Frame(frame.cwd, frame.env, tuple(w.value for w in argv[1:]),
                           (*frame.calls, cmd), frame.conditional, {})
            outer = self._frag, self._pos
            self._frag, self._pos = ffrag, fpos
            try:
                self.walk(fbody, inner, self.span(fbody))
            finally:
                self._frag, self._pos = outer
            frame.cwd = inner.cwd
            for k, (existed, old) in (inner.saved or {}).items():  # `local` ends here
                if existed:
                    frame.env[k] = old
                else:
                    frame.env.pop(k, None)
            return
        if name in ("source", "."):
            self.problems.append(warning(cmd.loc, f"not following `{name}`: the sourced file "
                                                  "is not read"))
        if name == "eval":
            self.problems.append(warning(cmd.loc, "not following `eval`: what it runs is not "
                                                  "read"))
        ran = self.ctx.run(cmd, frame.env) if self.ctx is not None else None
        if ran is not None:  # `./build.sh`, `make -C dir`: that file's commands, in place
            self.commands.extend(ran.commands)
            self.problems.extend(ran.problems)
            return
        self.commands.append(cmd)

    def redirect(self, node: Any, frame: _Frame) -> Redirect:
        fd_node = next((c for c in node.named_children if c.type == "file_descriptor"), None)
        fd = int(self.source(fd_node)[0]) if fd_node is not None else None
        op = next((c.type for c in node.children if not c.is_named), "")
        if node.type == "heredoc_redirect":
            start = next((c for c in node.named_children if c.type == "heredoc_start"), None)
            if start is None:
                return Redirect(op, None, fd)
            _, raw, span = self.source(start)
            return Redirect(op, Word(raw, raw.strip("'\""), span), fd)
        target = node.child_by_field_name("destination")
        if node.type != "file_redirect" or target is None or target.type not in _WORDS:
            return Redirect(op, None, fd)
        return Redirect(op, self.word(target, frame), fd)


class _Replaced:
    """A list whose first command was joined to the statement before it."""

    type = "_replaced"

    def __init__(self, original: Any, head: Any, joined: _Joined) -> None:
        self.original = original
        self.head = head
        self.joined = joined
        self.start_byte = joined.start_byte
        self.end_byte = original.end_byte


def _flatten(node: Any) -> tuple[list[Any], list[str]]:
    """The items and operators of a (left-nested) `&&`/`||` list."""
    if isinstance(node, _Replaced):
        inner, inner_ops = _flatten(node.original)
        return [node.joined if x is node.head else x for x in inner], inner_ops
    if node.type != "list":
        return [node], []
    items: list[Any] = []
    ops: list[str] = []
    for child in node.children:
        if child.type in ("&&", "||"):
            ops.append(child.type)
        elif child.is_named and child.type != "comment":
            sub_items, sub_ops = _flatten(child)
            items.extend(sub_items)
            ops.extend(sub_ops)
    return items, ops


def _first_command(node: Any) -> Any | None:
    if node.type == "command":
        return node
    if node.type == "list":
        return _first_command(node.named_children[0]) if node.named_children else None
    return None


def _unwrap(node: Any) -> tuple[Any | None, list[Any]]:
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


def _command_parts(node: Any) -> tuple[list[Any], list[Any]]:
    """Leading `K=V` assignments and the word nodes of a command (of both halves if joined)."""
    if isinstance(node, _Joined):
        first, second = node.parts
        a1, w1 = _command_parts(first)
        _, w2 = _command_parts(second)
        return a1, [*w1, *w2]
    assigns: list[Any] = []
    wordnodes: list[Any] = []
    for child in node.named_children:
        if child.type == "variable_assignment":
            assigns.append(child)
        elif child.type == "command_name":
            wordnodes.extend(c for c in child.named_children if c.type in _WORDS)
        elif child.type in _WORDS:
            wordnodes.append(child)
    return assigns, wordnodes


def _substitutions(node: Any) -> list[Any]:
    if node is None:
        return []
    if node.type == "command_substitution":
        return [node]
    return [s for c in node.named_children for s in _substitutions(c)]


def _first_error(node: Any) -> Any:
    stack = [node]
    while stack:
        n = stack.pop(0)
        if n.type == "ERROR" or n.is_missing:
            return n
        stack[:0] = list(n.children)
    return node


def _stray_keyword(root: Any, data: bytes) -> Any | None:
    """A keyword where a command goes (`fi` with no `if`): tree-sitter reads it as a command
    name, bash stops with a syntax error."""
    stack = [root]
    while stack:
        n = stack.pop(0)
        if n.type == "command_name" and data[n.start_byte : n.end_byte].decode() in _RESERVED:
            return n
        stack[:0] = list(n.children)
    return None


def _copy(frame: _Frame) -> _Frame:
    return _Frame(frame.cwd, dict(frame.env), frame.args, frame.calls, frame.conditional,
                  frame.saved)


def _lookup(frame: _Frame, name: str) -> str | None:
    if name.isdigit():
        i = int(name)
        if i == 0:
            return "$0"
        return frame.args[i - 1] if i <= len(frame.args) else None
    if name in ("@", "*"):
        return " ".join(frame.args)
    if name == "#":
        return str(len(frame.args))
    return frame.env.get(name)


def _strip_wrappers(argv: list[Word]) -> list[Word]:
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


def initial_frame(env: Mapping[str, str | None] | None = None, cwd: str = PROJECT) -> _Frame:
    return _Frame(cwd, dict(env or {}), ())


def read_shell(path: str, text: str, ctx: ReaderContext | None = None,
               cwd: str = PROJECT) -> Script:
    """Read a whole shell build script, run from `cwd` (the project root by default)."""
    script_dir = (PROJECT + "/" + path.rpartition("/")[0]).rstrip("/")
    reader = ShellReader(path, text, script_dir=script_dir, ctx=ctx)
    reader.read(_Frag(text), initial_frame(cwd=cwd))
    return Script(path, text, "shell", tuple(reader.commands), tuple(reader.problems),
                  functions=tuple(reader.definitions.items()))
