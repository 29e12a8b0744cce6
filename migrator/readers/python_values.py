"""Values of Python expressions in a build script, evaluated without running the script.

A string value keeps, for each of its characters, the range of source text it came from at the
place it is used (a literal's own characters; every character of `{TAG}` maps to `{TAG}`), so
a string handed to the shell reader still points into the Python file. What the script does not
make known (a captured output, an unset environment variable) is an unknown part, spelled
`${NAME}` like the shell reader spells it, so two mentions of one unknown compare equal.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Str:
    value: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    known: bool = True

    @staticmethod
    def at(value: str, start: int, end: int, known: bool = True) -> Str:
        """A value all of whose characters come from one source range."""
        return Str(value, (start,) * len(value), (end,) * len(value), known)

    @staticmethod
    def unknown(name: str, start: int = 0, end: int = 0) -> Str:
        return Str.at(f"${{{name}}}", start, end, known=False)

    def __add__(self, other: Str) -> Str:
        return Str(self.value + other.value, self.starts + other.starts,
                   self.ends + other.ends, self.known and other.known)

    def moved(self, start: int, end: int) -> Str:
        """The same value, every character now from `[start, end)` (a use of a name)."""
        return Str.at(self.value, start, end, self.known)


@dataclass
class Obj:
    """Something that is not a string: an SDK client, image or container, an argument parser,
    an archive stream, an open file. `data` holds what the reader knows about it."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)


def join(parts: list[Str], sep: str = "") -> Str:
    out = Str("", (), ())
    for i, p in enumerate(parts):
        if i and sep:
            out = out + Str.at(sep, p.starts[0] if p.starts else 0, p.starts[0] if p.starts else 0)
        out = out + p
    return out


def path_join(parts: list[Str]) -> Str:
    """`os.path.join` / `pathlib` `/`: a later absolute part replaces what came before."""
    out: Str | None = None
    for p in parts:
        if out is None or p.value.startswith("/"):
            out = p
        elif out.value.endswith("/") or not out.value:
            out = out + p
        else:
            at = p.starts[0] if p.starts else 0
            out = out + Str.at("/", at, at) + p
    return out if out is not None else Str("", (), ())


def normpath(p: Str) -> Str:
    value = posixpath.normpath(p.value) if p.value else p.value
    return p if value == p.value else Str.at(value, *_range(p), p.known)


def _range(p: Str) -> tuple[int, int]:
    return (min(p.starts), max(p.ends)) if p.starts else (0, 0)


def whole(p: Str, value: str) -> Str:
    """A value derived from all of `p` (dirname, upper(), ...)."""
    return Str.at(value, *_range(p), p.known)


def percent(fmt: Str, args: list[Any], start: int, end: int) -> Str | None:
    """`"%s-%s" % (a, b)` for `%s`/`%d`/`%%` only."""
    out = Str("", (), ())
    i, n = 0, 0
    text = fmt.value
    while i < len(text):
        c = text[i]
        if c == "%" and i + 1 < len(text):
            spec = text[i + 1]
            if spec == "%":
                out = out + Str(text[i], fmt.starts[i : i + 1], fmt.ends[i : i + 1], fmt.known)
            elif spec in "sdri" and n < len(args) and isinstance(args[n], Str):
                out = out + args[n]
                n += 1
            else:
                return None
            i += 2
            continue
        out = out + Str(c, fmt.starts[i : i + 1], fmt.ends[i : i + 1], fmt.known)
        i += 1
    return out if n == len(args) else None


def format_(fmt: Str, args: list[Any], kwargs: dict[str, Any]) -> Str | None:
    """`"{}-{name}".format(a, name=b)` with plain fields (no conversions or specs)."""
    out = Str("", (), ())
    text = fmt.value
    i, auto = 0, 0
    while i < len(text):
        c = text[i]
        if c in "{}" and text[i : i + 2] in ("{{", "}}"):
            out = out + Str(c, fmt.starts[i : i + 1], fmt.ends[i : i + 1], fmt.known)
            i += 2
            continue
        if c == "{":
            close = text.find("}", i)
            if close < 0:
                return None
            key = text[i + 1 : close]
            if key == "":
                value = args[auto] if auto < len(args) else None
                auto += 1
            elif key.isdigit():
                value = args[int(key)] if int(key) < len(args) else None
            else:
                value = kwargs.get(key)
            if not isinstance(value, Str):
                return None
            out = out + value
            i = close + 1
            continue
        out = out + Str(c, fmt.starts[i : i + 1], fmt.ends[i : i + 1], fmt.known)
        i += 1
    return out


def truth(value: Any) -> bool | None:
    """Python truthiness where it is known."""
    if isinstance(value, Str):
        return bool(value.value) if value.known else None
    if isinstance(value, (bool, int, tuple, list, dict)) or value is None:
        return bool(value)
    return None


def equal(a: Any, b: Any) -> bool | None:
    if isinstance(a, Str) and isinstance(b, Str):
        return a.value == b.value if a.known and b.known else None
    if isinstance(a, (bool, int)) and isinstance(b, (bool, int)):
        return a == b
    if a is None or b is None:
        return (a is None) == (b is None) if not isinstance(a, Obj) else None
    return None
