"""Read shell text (a build script, or one Makefile recipe line) into `Command` values.

bashlex parses; this module walks the tree in execution order, following variables, functions
called with arguments, `cd`, subshells and captured command output, and records each simple
command with its evaluated words and its place in the file. It only reads.
"""

from __future__ import annotations

import bisect
import re
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
    saved: dict[str, tuple[bool, str | None]] | None = None  # values `local` will restore


@dataclass(frozen=True)
class _Frag:
    """A piece of shell text as bashlex saw it, and where its characters are in the file.

    Plain scripts: the file's own text at `offset`. Makefile recipe lines: the text after make
    expanded its references, with `starts`/`ends` giving each character's source range.
    """

    text: str
    offset: int = 0
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None
    masked: str | None = None  # what bashlex was given (see `_mask`)

    def synthetic(self, node: Any) -> bool:
        """A node that only exists in the masked text (a stand-in, not the script's own)."""
        a, b = node.pos
        return self.masked is not None and self.masked[a:b] != self.text[a:b]

    def span(self, a: int, b: int) -> Span:
        if self.starts is None or self.ends is None:
            return Span(self.offset + a, self.offset + b)
        if a >= len(self.starts):
            end = self.offset + (self.ends[-1] if self.ends else 0)
            return Span(end, end)
        return Span(self.offset + self.starts[a], self.offset + self.ends[max(a, b - 1)])


class ShellReader:
    """Walks the shell text of one file (a script, or Makefile recipe lines)."""

    def __init__(self, path: str, text: str, *, lines: Lines | None = None,
                 script_dir: str = PROJECT) -> None:
        self.path = path
        self.text = text
        self.lines = lines or Lines(text)
        self.script_dir = script_dir
        self.functions: dict[str, tuple[Any, _Frag]] = {}
        self.definitions: dict[str, Span] = {}
        self.commands: list[Command] = []
        self.problems: list[Problem] = []
        self._pipes = 0

    # ------------------------------------------------------------ entry points

    def read(self, frag: _Frag, frame: _Frame) -> None:
        bashlex = _bashlex()
        frag = replace(frag, masked=_mask(frag.text))
        try:
            trees = bashlex.parse(frag.masked)
        except (bashlex.errors.ParsingError, NotImplementedError, AttributeError,
                IndexError, TypeError) as exc:
            msg = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            at = _error_offset(bashlex, frag.text, msg)
            raise Unsupported(self.loc(frag.span(at, at + 1).start),
                              f"cannot parse shell: {msg}") from None
        for tree in self._join_broken_continuations(frag, trees):
            self.walk(tree, frag, frame, frag.span(*tree.pos))

    def loc(self, offset: int) -> Loc:
        return Loc(self.path, self.lines.line(offset))

    # ------------------------------------------------------------ the seed's broken `\  `

    def _join_broken_continuations(self, frag: _Frag, trees: list[Any]) -> list[Any]:
        """A backslash followed by spaces ends the line in a real shell; the intent is plain.

        bashlex reads `\\ ` as a word holding a space and ends the command at the newline; the
        next line, starting with an option, becomes a command (or list) of its own. Join such
        pairs and warn.
        """
        out: list[Any] = []
        for tree in trees:
            prev = out[-1] if out else None
            head = tree.parts[0] if tree.kind == "list" and tree.parts else tree
            last = prev.parts[-1] if prev is not None and prev.kind in ("command", "_joined") \
                and prev.parts else None
            text = frag.text[last.pos[0] : last.pos[1]] if last is not None else ""
            if (prev is not None and last is not None and last.kind == "word"
                    and head.kind == "command"
                    and text.startswith("\\") and text[1:].strip() == ""
                    and "\n" in frag.text[last.pos[1] : head.pos[0]]):
                self.problems.append(warning(
                    self.loc(frag.span(*last.pos).start),
                    "backslash followed by spaces does not continue the line in a real shell; "
                    "read as a continuation (remove the trailing spaces)"))
                joined = _Node("_joined", [*prev.parts[:-1], *head.parts],
                               (prev.pos[0], head.pos[1]))
                out[-1] = joined if head is tree else _Node(
                    "list", [joined, *tree.parts[1:]], (prev.pos[0], tree.pos[1]))
                continue
            out.append(tree)
        return out

    # ------------------------------------------------------------ walking

    def walk(self, node: Any, frag: _Frag, frame: _Frame, cut: Span) -> None:
        kind = node.kind
        if kind in ("command", "_joined"):
            self.command(node, frag, frame, cut)
        elif kind == "list":
            self.walk_list(node.parts, frag, frame)
        elif kind == "pipeline":
            self._pipes += 1
            pid = self._pipes
            for i, part in enumerate(p for p in node.parts if p.kind != "pipe"):
                if part.kind == "command":
                    self.command(part, frag, frame, cut, pipe=(pid, i))
                else:
                    self.walk(part, frag, frame, cut)
        elif kind == "compound":
            items = node.list
            subshell = bool(items) and items[0].kind == "reservedword" and items[0].word == "("
            inner = _copy(frame) if subshell else frame
            self.walk_list([p for p in items if p.kind != "reservedword"], frag, inner)
        elif kind in ("if", "for", "while", "until", "case"):
            if kind == "for":
                names = [p for p in node.parts if p.kind == "word"]
                if names:
                    frame.env[names[0].word] = None
            self.walk_list([p for p in node.parts if p.kind not in ("reservedword", "word")],
                           frag, replace(frame, conditional=True))
        elif kind == "function":
            self.functions[node.name.word] = (node.body, frag)
            self.definitions[node.name.word] = frag.span(*node.pos)
        # other node kinds (comments, bare operators) carry no command

    def walk_list(self, parts: list[Any], frag: _Frag, frame: _Frame) -> None:
        items = [p for p in parts if p.kind != "operator"]
        ops = [p for p in parts if p.kind == "operator"]
        after_or = False
        for i, part in enumerate(items):
            if i + 1 < len(items):
                cut = frag.span(part.pos[0], items[i + 1].pos[0])
            elif i > 0:
                cut = frag.span(items[i - 1].pos[1], part.pos[1])
            else:
                cut = frag.span(*part.pos)
            # Only the command right after `||` may not run; `;` and `&&` start afresh.
            self.walk(part, frag, replace(frame, conditional=True) if after_or else frame, cut)
            op = next((o for o in ops if o.pos[0] >= part.pos[1]), None)
            after_or = op is not None and op.op == "||"

    def fields(self, node: Any, frag: _Frag, frame: _Frame) -> list[Word]:
        """The words one source word becomes after expansion (field splitting included)."""
        span = frag.span(*node.pos)
        raw = self.text[span.start : span.end]
        text = frag.text[node.pos[0] : node.pos[1]]
        if text in ('"$@"', '"${@}"', "$@", "${@}"):
            return [Word(raw, a, span, True, True) for a in frame.args]
        values, known = words.evaluate(text, lambda n: _lookup(frame, n), frame.cwd,
                                       self.script_dir)
        return [Word(raw, v, span, known, len(values) > 1) for v in values]

    def word(self, node: Any, frag: _Frag, frame: _Frame) -> Word:
        found = self.fields(node, frag, frame)
        if len(found) == 1:
            return found[0]
        span = frag.span(*node.pos)
        return Word(self.text[span.start : span.end], " ".join(w.value for w in found), span,
                    all(w.known for w in found))

    def command(self, node: Any, frag: _Frag, frame: _Frame, cut: Span,
                pipe: tuple[int, int] | None = None, captured: str | None = None) -> None:
        parts = node.parts
        assigns = [p for p in parts if p.kind == "assignment"]
        wordnodes = [p for p in parts if p.kind == "word"]
        if wordnodes and frag.synthetic(wordnodes[0]):
            return  # a stand-in for a test, arithmetic or a case head
        redirects = [p for p in parts if p.kind == "redirect"]
        env_pairs: list[tuple[str, str]] = []
        span = frag.span(*node.pos)
        for a in assigns:
            name, _, _ = a.word.partition("=")
            for sub in _substitutions(a):
                if sub.command.kind == "command":
                    self.command(sub.command, frag, frame, cut, captured=name)
            value_word = self.word(a, frag, frame)
            _, _, value = value_word.value.partition("=")
            array = self.text[value_word.span.end : value_word.span.end + 1] == "("
            known = value_word.known and not array
            if wordnodes:
                env_pairs.append((name, value))
            else:
                frame.env[name] = value if known else None  # an array: unknown
        if not wordnodes:
            return
        argv = [w for n in wordnodes for w in self.fields(n, frag, frame)]
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
            redirects=tuple(self.redirect(r, frag, frame) for r in redirects),
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
                if w.value.startswith("-"):
                    continue
                k, eq, v = w.value.partition("=")
                if name == "local" and frame.saved is not None and k not in frame.saved:
                    frame.saved[k] = (k in frame.env, frame.env.get(k))
                if eq:
                    frame.env[k] = v if w.known else None
            return
        if name in self.functions:
            body, body_frag = self.functions[name]
            inner = _Frame(frame.cwd, frame.env, tuple(w.value for w in argv[1:]),
                           (*frame.calls, cmd), frame.conditional, {})
            self.walk(body, body_frag, inner, body_frag.span(*body.pos))
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
        self.commands.append(cmd)

    def redirect(self, node: Any, frag: _Frag, frame: _Frame) -> Redirect:
        fd = node.input if isinstance(getattr(node, "input", None), int) else None
        out = getattr(node, "output", None)
        if out is None or isinstance(out, int) or getattr(out, "kind", "") != "word":
            return Redirect(node.type, None, fd)
        return Redirect(node.type, self.word(out, frag, frame), fd)


class _Node:
    """A node made here: two commands a `\\ ` line ending split, or a list holding them."""

    def __init__(self, kind: str, parts: list[Any], pos: tuple[int, int]) -> None:
        self.kind = kind
        self.parts = parts
        self.pos = pos


_QUOTED_HEREDOC = re.compile(r"<<(-?)(\s*)(['\"])([A-Za-z_][A-Za-z0-9_]*)\3")
_ARRAY = re.compile(r"(?:^|(?<=[\s;&|]))[A-Za-z_][A-Za-z0-9_]*(?:\+)?=\(")
_CASE_ARM = re.compile(r"(?m)^(\s*)(\(?[^()\n;]*\))")


def _blank(out: list[str], start: int, end: int, keep: str = "") -> None:
    """Blank out[start:end] (newlines stay), starting with `keep`."""
    for k in range(start, end):
        if out[k] != "\n":
            out[k] = " "
    for k, c in enumerate(keep):
        out[start + k] = c


def _mask(text: str) -> str:
    """The text with bashlex's gaps worked around, every character kept in place.

    bashlex cannot read several everyday constructs; none of them matters to what migrator
    reads (conditions, arithmetic, case patterns), so bashlex sees a same-length stand-in and
    every value is still evaluated from the original text:
    - `<<'EOF'` / `<<"EOF"` (bashlex #99): the quotes become blanks;
    - `$(a || b)`, `$(a && b)` (bashlex #54, #83): the inside becomes `:` and blanks;
    - `$(( ... ))` and `(( ... ))` arithmetic: `$(:   )` / `:`;
    - `[[ ... ]]` tests: `true`;
    - arrays `a=(x y)`: `a=` and blanks (the variable becomes unknown);
    - `case WORD in p) ...;; esac`: `if :;then ...; fi`, its arms in sequence and conditional;
    - a carriage return before a newline (CRLF files): a blank.
    """
    text = _QUOTED_HEREDOC.sub(lambda m: f"<<{m.group(1)}{m.group(2)} {m.group(4)} ", text)
    out = list(text.replace("\r\n", " \n"))
    text = "".join(out)
    i = 0
    while i < len(text) - 1:
        if text.startswith("$((", i):
            j = words.matching(text, i + 1, "(", ")")
            _blank(out, i + 2, j - 1, ":")
            i = j
        elif text.startswith("$(", i):
            j = words.matching(text, i + 1, "(", ")")
            inner = text[i + 2 : j - 1]
            if "&&" in inner or "||" in inner or "((" in inner or "[[" in inner:
                _blank(out, i + 2, j - 1, ":")
                i = j
            else:
                i += 2
        elif text.startswith("((", i) and (i == 0 or text[i - 1] in " \t\n;&|"):
            j = words.matching(text, i, "(", ")")
            _blank(out, i, j, ":")
            i = j
        elif text.startswith("[[", i) and (i == 0 or text[i - 1] in " \t\n;&|!"):
            j = text.find("]]", i + 2)
            j = len(text) if j < 0 else j + 2
            _blank(out, i, j, "true")
            i = j
        else:
            i += 1
    text = "".join(out)
    for m in _ARRAY.finditer(text):
        j = words.matching(text, m.end() - 1, "(", ")")
        _blank(out, m.end() - 1, j)
    return _mask_case("".join(out))


def _mask_case(text: str) -> str:
    out = list(text)
    for m in re.finditer(r"(?m)(?:^|(?<=[;&|\s]))case\s+\S+\s+in\b", text):
        end = re.compile(r"(?m)(?:^|(?<=[;\s]))esac\b").search(text, m.end())
        if end is None:
            continue
        head = m.end() - m.start()
        _blank(out, m.start(), m.end(), "if :;then" if head >= 9 else "")
        body = text[m.end() : end.start()]
        # Arm patterns: at the start of the body and after each `;;`.
        pos = 0
        for part in re.split(r"(;;&?|;&)", body):
            if part in (";;", ";;&", ";&"):
                _blank(out, m.end() + pos, m.end() + pos + len(part), ";")
            else:
                arm = _CASE_ARM.match(part)
                if arm:
                    start = m.end() + pos + len(arm.group(1))
                    _blank(out, start, start + len(arm.group(2)))
            pos += len(part)
        _blank(out, end.start(), end.end(), "fi")
    return "".join(out)


def _error_offset(bashlex: Any, text: str, message: str) -> int:
    """Where a syntax error is: bashlex's positions are relative to a sub-parse, so find the
    first line after which the text can no longer parse (an unfinished text: its last line)."""
    lines = text.splitlines(keepends=True)
    ends = [sum(len(x) for x in lines[: k + 1]) for k in range(len(lines))]
    if "EOF" in message or "end-of-file" in message:
        last = max((k for k, x in enumerate(lines) if x.strip()), default=0)
        return ends[last] - len(lines[last]) if lines else 0

    def broken(k: int) -> bool:
        try:
            bashlex.parse(_mask(text[: ends[k]]))
        except bashlex.errors.ParsingError as exc:
            return "EOF" not in exc.message and "end-of-file" not in exc.message
        except Exception:
            return True
        return False

    lo, hi = 0, len(lines) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if broken(mid):
            hi = mid
        else:
            lo = mid + 1
    return ends[lo] - len(lines[lo]) if lines else 0


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
    reader.read(_Frag(text), initial_frame())
    return Script(path, text, "shell", tuple(reader.commands), tuple(reader.problems),
                  functions=tuple(reader.definitions.items()))

