"""What the shell reader knows while it walks: variables, arguments, the working directory.

A value is a `str` the script makes known, a `Sym` the script sets to something it cannot know
(`$(git describe)`, an argument the caller passes), or absent (`None`: never set by the files, so
it may come from the environment, which is never read). Branches whose condition is unknown are
walked on copies of the frame and merged: a variable two paths leave different becomes a `Sym`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from migrator.model import PROJECT, Command


class Sym(str):
    """A value set by the script but unknown to the reader; the text is how the script names it
    (`${TAG}`, `$(git rev-parse HEAD)`), so it is kept verbatim in the words that use it."""


Value = str | None  # None: never set by the files read
_REFERENCE = re.compile(r'^"?\$\{?([A-Za-z_][A-Za-z0-9_]*|[0-9])\}?"?$')
# Variables bash sets itself, with the answers the fixed machine gives (`uname` is x86_64 Linux).
_BASH_VARIABLES = {"OSTYPE": "linux-gnu", "HOSTTYPE": "x86_64", "MACHTYPE": "x86_64-pc-linux-gnu",
                   "IFS": " \t\n"}


@dataclass
class Frame:
    """Mutable walking state; copied for subshells and for branches that may not run."""

    cwd: str
    env: dict[str, Value]
    args: tuple[str, ...]
    calls: tuple[Command, ...] = ()
    conditional: bool = False
    saved: dict[str, tuple[bool, Value]] | None = None  # values `local` will restore
    arrays: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exported: set[str] = field(default_factory=set)
    dirs: list[str] = field(default_factory=list)  # the `pushd` stack
    export_all: bool = False  # `set -a`
    script: str = ""  # `$0`: the script as it was started (project-absolute)
    source_file: str = ""  # `${BASH_SOURCE[0]}` while a `source`d file runs
    args_given: bool = True  # False for an entry point: its caller's arguments are unknown
    fixed: frozenset[str] = frozenset()  # `--set` names: assignments do not change them
    output_to: str | None = None  # `X=$(f)`: inside f, what prints goes into X

    def copy(self, **changes: object) -> Frame:
        new = Frame(self.cwd, dict(self.env), self.args, self.calls, self.conditional,
                    self.saved, dict(self.arrays), set(self.exported), list(self.dirs),
                    self.export_all, self.script, self.source_file, self.args_given,
                    self.fixed, self.output_to)
        for k, v in changes.items():
            setattr(new, k, v)
        return new

    def set(self, name: str, value: Value) -> None:
        if name in self.fixed:
            return  # `--set NAME=VALUE` beats the files' assignments, as `make NAME=VALUE` does
        self.env[name] = value
        self.arrays.pop(name, None)
        if self.export_all:
            self.exported.add(name)

    def lookup(self, name: str) -> Value:
        """A parameter's value as `$name` reads it."""
        if name.isdigit():
            i = int(name)
            if i == 0:
                return self.script or "$0"
            return self.args[i - 1] if i <= len(self.args) else None
        if name in ("@", "*"):
            return " ".join(self.args)
        if name == "#":
            return str(len(self.args)) if self.args_given else None
        if name in self.arrays:
            items = self.arrays[name]
            return items[0] if items else ""
        if name == "PWD":
            return self.cwd
        if name == "BASH_SOURCE":
            return self.source_file or self.script or None
        if name not in self.env and name in _BASH_VARIABLES:
            return _BASH_VARIABLES[name]
        return self.env.get(name)

    def array(self, name: str) -> tuple[str, ...] | None:
        """The elements `${name[@]}` expands to (`$@` for the arguments)."""
        if name in ("@", "*"):
            return self.args
        if name in self.arrays:
            return self.arrays[name]
        value = self.lookup(name)
        return None if value is None else (value,)

    def adopt(self, other: Frame) -> None:
        """Take another frame's variables and directory (a `source`d file, a branch merge)."""
        self.cwd = other.cwd
        self.env = other.env
        self.arrays = other.arrays
        self.exported = other.exported
        self.dirs = other.dirs
        self.args = other.args
        self.export_all = other.export_all


class Deciding:
    """The frame as a condition reads it: a variable the files never set is unset (the
    environment is never read), so `[ -n "$X" ]` is false and `[ "$X" -eq 1 ]` fails; an
    entry point's own arguments stay unknown. The names read as unset are kept to be said."""

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self.cwd = frame.cwd
        self.unset: list[str] = []

    def _positional(self, name: str) -> bool:
        return not self.frame.args_given and ((name.isdigit() and name != "0") or name in "#@*")

    def lookup(self, name: str) -> Value:
        value = self.frame.lookup(name)
        if value is None and not self._positional(name):
            self.unset.append(name)
            return ""
        return value

    def array(self, name: str) -> tuple[str, ...] | None:
        items = self.frame.array(name)
        if items is None and not self._positional(name):
            self.unset.append(name)
            return ()
        return items

    def set(self, name: str, value: Value) -> None:
        self.frame.set(name, value)


def merge(base: Frame, paths: Iterable[Frame]) -> None:
    """After branches that may or may not have run, `base` holds what every path agrees on."""
    ends = list(paths)
    if not ends:
        return
    names = set().union(*(p.env for p in ends), base.env)
    for name in names:
        values = {p.env.get(name) for p in ends}
        if len(values) == 1:
            base.env[name] = values.pop()
        else:
            base.env[name] = Sym("${" + name + "}")
    for name in set().union(*(p.arrays for p in ends)):
        items = {p.arrays.get(name) for p in ends}
        if len(items) == 1 and None not in items:
            base.arrays[name] = items.pop() or ()
        else:
            base.arrays.pop(name, None)
            base.env[name] = Sym("${" + name + "}")
    cwds = {p.cwd for p in ends}
    if len(cwds) == 1:
        base.cwd = cwds.pop()
    for p in ends:
        base.exported |= p.exported


def unknown_value(name: str, value: str, source: str, frame: Frame) -> Sym:
    """An assignment of an unknown value: `X=$(git describe)`, and `X=$1` or `X=$V` where the
    argument or V is not given, are `${X}` from then on (a message names X and `--set X=...`,
    which beats the assignment); `IMAGE=app:${TAG}` keeps its text, and so does `X=$1` where
    the caller passed an unknown (so it still names what the caller built)."""
    ref = _REFERENCE.match(source)
    if value.startswith(("$(", "`", "${__container_")) or (
            ref is not None and frame.lookup(ref.group(1)) is None):
        return Sym("${" + name + "}")
    return Sym(value)


def initial_frame(env: Mapping[str, str | None] | None = None, cwd: str = PROJECT,
                  args: tuple[str, ...] | None = (), script: str = "") -> Frame:
    """A fresh shell; `args=None` for an entry point whose arguments the user gives."""
    return Frame(cwd, dict(env or {}), args or (), script=script, args_given=args is not None)
