"""Read shell text (a build script, or one Makefile recipe line) into `Command` values.

bashlex parses; this module walks the tree in execution order, following variables, functions
called with arguments, `cd`, subshells and captured command output, and records each simple
command with its evaluated words and its place in the file. It only reads.
"""

from __future__ import annotations

import bisect
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

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

_WRAPPERS = {"sudo", "exec", "command", "time", "nice", "nohup"}
_SUDO_OPTS_WITH_ARG = {"-u", "-g", "-h", "-p", "-C", "-U", "-r", "-t"}
_DECLARE = {"export", "local", "declare", "readonly", "typeset"}


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


class ShellReader:
    """Walks shell text of one file. `offset` places a fragment inside the whole file."""

    def __init__(
        self,
        path: str,
        text: str,
        *,
        lines: Lines | None = None,
        make_vars: Mapping[str, str] | None = None,
        script_dir: str = PROJECT,
    ) -> None:
        self.path = path
        self.text = text
        self.lines = lines or Lines(text)
        self.make_vars = make_vars
        self.script_dir = script_dir
        self.functions: dict[str, Any] = {}
        self.definitions: dict[str, Span] = {}
        self.commands: list[Command] = []
        self.problems: list[Problem] = []
        self._pipes = 0

    # ------------------------------------------------------------ entry points

    def read(self, fragment: str, offset: int, frame: _Frame) -> None:
        bashlex = _bashlex()
        try:
            trees = bashlex.parse(fragment)
        except (bashlex.errors.ParsingError, NotImplementedError, AttributeError,
                IndexError, TypeError) as exc:
            pos = getattr(exc, "position", 0) or 0
            msg = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            raise Unsupported(self.loc(offset + pos), f"cannot parse shell: {msg}") from None
        trees = self._join_broken_continuations(fragment, offset, trees)
        for tree in trees:
            cut = Span(offset + tree.pos[0], offset + tree.pos[1])
            self.walk(tree, offset, frame, cut)

    def loc(self, offset: int) -> Loc:
        return Loc(self.path, self.lines.line(offset))

    # ------------------------------------------------------------ the seed's broken `\  `

    def _join_broken_continuations(self, fragment: str, offset: int, trees: list[Any]) -> list[Any]:
        """A backslash followed by spaces ends the line in a real shell; the intent is plain.

        bashlex reads `\\ ` as a word holding a space and ends the command at the newline; the next
        line, starting with an option, becomes a command of its own. Join such pairs and warn.
        """
        out: list[Any] = []
        for tree in trees:
            prev = out[-1] if out else None
            if (
                prev is not None
                and prev.kind == "command"
                and tree.kind == "command"
                and prev.parts
                and prev.parts[-1].kind == "word"
                and fragment[prev.parts[-1].pos[0] : prev.parts[-1].pos[1]].startswith("\\")
                and fragment[prev.parts[-1].pos[0] : prev.parts[-1].pos[1]][1:].strip() == ""
                and "\n" in fragment[prev.parts[-1].pos[1] : tree.pos[0]]
            ):
                self.problems.append(
                    warning(
                        self.loc(offset + prev.parts[-1].pos[0]),
                        "backslash followed by spaces does not continue the line in a real "
                        "shell; read as a continuation (remove the trailing spaces)",
                    )
                )
                joined = _Joined(prev, tree)
                out[-1] = joined
                continue
            out.append(tree)
        return out

    # ------------------------------------------------------------ walking

    def walk(self, node: Any, off: int, frame: _Frame, cut: Span) -> None:
        kind = node.kind
        if kind == "command":
            self.command(node, off, frame, cut)
        elif kind == "list":
            self.walk_list(node.parts, off, frame)
        elif kind == "pipeline":
            self._pipes += 1
            pid = self._pipes
            cmds = [p for p in node.parts if p.kind != "pipe"]
            for i, part in enumerate(cmds):
                if part.kind == "command":
                    self.command(part, off, frame, cut, pipe=(pid, i))
                else:
                    self.walk(part, off, frame, cut)
        elif kind == "compound":
            items = node.list
            subshell = bool(items) and items[0].kind == "reservedword" and items[0].word == "("
            inner = _copy(frame) if subshell else frame
            self.walk_list([p for p in items if p.kind != "reservedword"], off, inner)
        elif kind in ("if", "for", "while", "until", "case"):
            inner = replace(frame, conditional=True)
            if kind == "for":
                names = [p for p in node.parts if p.kind == "word"]
                if names:
                    frame.env[names[0].word] = None
            self.walk_list([p for p in node.parts if p.kind not in ("reservedword", "word")],
                           off, inner)
        elif kind == "function":
            name = node.name.word
            self.functions[name] = (node.body, off)
            self.definitions[name] = Span(off + node.pos[0], off + node.pos[1])
        elif kind == "_joined":
            self.command(node, off, frame, cut)
        # other node kinds (comments, bare operators) carry no command

    def walk_list(self, parts: list[Any], off: int, frame: _Frame) -> None:
        items = [p for p in parts if p.kind != "operator"]
        ops = [p for p in parts if p.kind == "operator"]
        conditional_next = False
        for i, part in enumerate(items):
            if i + 1 < len(items):
                cut = Span(off + part.pos[0], off + items[i + 1].pos[0])
            elif i > 0:
                cut = Span(off + items[i - 1].pos[1], off + part.pos[1])
            else:
                cut = Span(off + part.pos[0], off + part.pos[1])
            f = replace(frame, conditional=True) if conditional_next else frame
            self.walk(part, off, f, cut)
            op = next((o for o in ops if o.pos[0] >= part.pos[1]), None)
            conditional_next = conditional_next or (op is not None and op.op == "||")

    def fields(self, node: Any, off: int, frame: _Frame) -> list[Word]:
        """The words one source word becomes after expansion (field splitting included)."""
        raw = self.text[off + node.pos[0] : off + node.pos[1]]
        text = raw
        if self.make_vars is not None:
            text = words.expand_make(raw, self.make_vars, frame.cwd)
        values, known = words.evaluate(text, lambda n: _lookup(frame, n), frame.cwd,
                                       self.script_dir)
        span = Span(off + node.pos[0], off + node.pos[1])
        return [Word(raw, v, span, known, len(values) > 1) for v in values]

    def word(self, node: Any, off: int, frame: _Frame) -> Word:
        found = self.fields(node, off, frame)
        if len(found) == 1:
            return found[0]
        raw = self.text[off + node.pos[0] : off + node.pos[1]]
        return Word(raw, " ".join(w.value for w in found),
                    Span(off + node.pos[0], off + node.pos[1]), all(w.known for w in found))

    def command(self, node: Any, off: int, frame: _Frame, cut: Span,
                pipe: tuple[int, int] | None = None, captured: str | None = None) -> None:
        parts = node.parts
        assigns = [p for p in parts if p.kind == "assignment"]
        wordnodes = [p for p in parts if p.kind == "word"]
        redirects = [p for p in parts if p.kind == "redirect"]
        env_pairs: list[tuple[str, str]] = []
        span = Span(off + node.pos[0], off + node.pos[1])
        for a in assigns:
            name, _, _ = a.word.partition("=")
            subs = _substitutions(a)
            for sub in subs:
                if sub.command.kind == "command":
                    self.command(sub.command, off, frame, cut, captured=name)
            value_word = self.word(a, off, frame)
            _, _, value = value_word.value.partition("=")
            if wordnodes:
                env_pairs.append((name, value))
            else:
                frame.env[name] = None if subs else value
        if not wordnodes:
            return
        argv = [w for node_ in wordnodes for w in self.fields(node_, off, frame)]
        argv = _strip_wrappers(argv)
        if not argv:
            return
        name = argv[0].value
        rd = tuple(self.redirect(r, off, frame) for r in redirects)
        cmd = Command(
            argv=tuple(argv),
            loc=self.loc(span.start),
            span=span,
            cut=cut,
            cwd=frame.cwd,
            redirects=rd,
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
        if name in _DECLARE:
            for w in argv[1:]:
                if not w.value.startswith("-") and "=" in w.value:
                    k, _, v = w.value.partition("=")
                    frame.env[k] = v if w.known else None
            return
        if name in self.functions:
            body, body_off = self.functions[name]
            inner = _Frame(frame.cwd, frame.env, tuple(w.value for w in argv[1:]),
                           (*frame.calls, cmd), frame.conditional)
            self.walk(body, body_off, inner, Span(body_off + body.pos[0], body_off + body.pos[1]))
            frame.cwd = inner.cwd
            return
        if name in ("source", "."):
            self.problems.append(warning(cmd.loc, f"not following `{name}`: the sourced file "
                                                  "is not read"))
        self.commands.append(cmd)

    def redirect(self, node: Any, off: int, frame: _Frame) -> Redirect:
        fd = node.input if isinstance(getattr(node, "input", None), int) else None
        out = getattr(node, "output", None)
        if out is None or isinstance(out, int) or getattr(out, "kind", "") != "word":
            return Redirect(node.type, None, fd)
        return Redirect(node.type, self.word(out, off, frame), fd)


class _Joined:
    """Two command nodes that a `\\ ` line ending split: read as one command."""

    kind = "_joined"

    def __init__(self, first: Any, second: Any) -> None:
        self.parts = [*first.parts[:-1], *second.parts]
        self.pos = (first.pos[0], second.pos[1])


def _copy(frame: _Frame) -> _Frame:
    return _Frame(frame.cwd, dict(frame.env), frame.args, frame.calls, frame.conditional)


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


def _substitutions(node: Any) -> list[Any]:
    return [p for p in getattr(node, "parts", []) if p.kind == "commandsubstitution"]


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


def _bashlex() -> Any:
    from migrator.readers import _bashlex as loader

    return loader.load()


def initial_frame(env: Mapping[str, str | None] | None = None, cwd: str = PROJECT) -> _Frame:
    return _Frame(cwd, dict(env or {}), ())


def read_shell(path: str, text: str) -> Script:
    """Read a whole shell build script that runs from the project root."""
    reader = ShellReader(path, text)
    reader.read(text, 0, initial_frame())
    return Script(path, text, "shell", tuple(reader.commands), tuple(reader.problems),
                  functions=tuple(reader.definitions.items()))


def script_dir_of(path: str) -> str:
    return posixpath.normpath(posixpath.join(PROJECT, posixpath.dirname(path)))
