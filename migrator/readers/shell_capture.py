"""The output of the script's own functions in `$(...)`, without running anything.

`image() { echo "${REGISTRY}/$1:${TAG}"; }` then `docker build -t "$(image api)"`: the function
is walked as a subshell would run it, what its `echo`/`printf '%s'` commands print is its
output, and the commands it ran are dropped (the reader records them where the substitution is
an assignment's, once). Any other command that may print, or an `echo` that may not run, makes
the output unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from migrator.model import PROJECT, Command, Loc, Span, Word
from migrator.readers.shell_flow import Stop
from migrator.readers.shell_frame import Frame, Sym
from migrator.readers.words import host_path

if TYPE_CHECKING:
    from migrator.readers.shell import ShellReader

_MAX_DEPTH = 4
_PLAIN_FORMAT = re.compile(r"^(%s|\\n| )*$")


@dataclass
class Capture:
    lines: list[str] = field(default_factory=list)
    ok: bool = True
    depth: int = 0


def output_of(r: ShellReader, frame: Frame, argv: list[str]) -> str | None:
    """What `$(name args...)` prints when `name` is one of the script's functions."""
    shared = r.shared
    if len(argv) == 2 and argv[0] == "cat":
        return _project_file(r, frame, argv[1])
    if not argv or argv[0] not in shared.functions:
        return None
    outer = shared.capture
    if outer is not None and outer.depth >= _MAX_DEPTH:
        return None
    saved = shared.commands, shared.problems
    shared.commands, shared.problems = [], []
    got = shared.capture = Capture(depth=outer.depth + 1 if outer is not None else 1)
    words = tuple(Word(a, a, Span(0, 0), not isinstance(a, Sym)) for a in argv)
    call = Command(argv=words, loc=Loc(r.path, 0), span=Span(0, 0), cut=Span(0, 0),
                   cwd=frame.cwd)
    from migrator.readers.shell_builtins import call_function

    try:
        call_function(r, call, frame.copy(conditional=False))
    except Stop:
        pass  # `exit` in the function ends the subshell
    finally:
        shared.commands, shared.problems = saved
        shared.capture = outer
    return "\n".join(got.lines) if got.ok else None


def _project_file(r: ShellReader, frame: Frame, path: str) -> str | None:
    """`$(cat VERSION)` of a file in the project: its text (read, not run)."""
    ctx = r.shared.ctx
    full = host_path(path, frame.cwd)
    rel = full.removeprefix(PROJECT + "/")
    if ctx is None or rel == full or not ctx.is_file(rel):
        return None
    text = ctx.text(rel).rstrip("\n")
    if "\n" in text or len(text) > 200:
        return None  # not a one-line value
    r.shared.notes.append(f"{r.path}: `cat {path}` read from the project's {rel}: {text!r}")
    return text


def consumed(r: ShellReader, cmd: Command, frame: Frame) -> bool:
    """While a function's output is captured: an `echo` adds to it (and is not recorded)."""
    got = r.shared.capture
    if got is None:
        return False
    quiet = any(x.op in (">", ">>", "&>", ">&", ">|") and x.fd in (None, 1)
                for x in cmd.redirects)
    if quiet or cmd.name in r.shared.functions or cmd.name in _SILENT:
        return False
    text = _printed(cmd)
    if text is None or frame.conditional or not all(w.known for w in cmd.argv):
        got.ok = False
        return False
    got.lines.append(text)
    return True


_SILENT = {"cd", "pushd", "popd", "shift", "set", "local", "export", "readonly", "declare",
           "return", "exit", "true", ":", "unset", "source", "."}


def _printed(cmd: Command) -> str | None:
    words = [w.value for w in cmd.argv[1:]]
    if cmd.name == "echo":
        if words and words[0] == "-n":
            return " ".join(words[1:])
        return None if words and words[0].startswith("-") else " ".join(words)
    if cmd.name == "printf" and words and _PLAIN_FORMAT.match(words[0]):
        return " ".join(words[1:]) if "%s" in words[0] else ""
    return None
