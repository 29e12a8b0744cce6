"""Words shared by the readers: make's expansion of a recipe line before the shell sees it,
balanced brackets, and host paths. Shell expansion of one word is in `shell_words`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping


def matching(text: str, i: int, open_: str, close: str) -> int:
    """Index just past the `close` that balances the `open_` at text[i]."""
    depth = 0
    quote: str | None = None
    j = i
    while j < len(text):
        c = text[j]
        if quote:
            if c == "\\" and quote == '"':
                j += 2
                continue
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "\\":
            j += 2
            continue
        elif c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return len(text)


def expand_make(raw: str, variables: Mapping[str, str], curdir: str, depth: int = 0) -> str:
    """Expand make variable references in `raw`, as make does before handing a line to the shell.

    `variables` holds unexpanded values (recursive `=` variables expand at use). Functions
    (`$(shell ...)`, `$(patsubst ...)`) are kept verbatim: the shell evaluator treats them as
    unknown command substitutions.
    """
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i]
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        nxt = raw[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt in "({":
            close = ")" if nxt == "(" else "}"
            j = matching(raw, i + 1, nxt, close)
            inner = raw[i + 2 : j - 1]
            if inner == "CURDIR":
                out.append(curdir)
            elif inner in variables and depth < 20:
                out.append(expand_make(variables[inner], variables, curdir, depth + 1))
            elif " " in inner or "," in inner or ":" in inner:
                # A function call or substitution reference: unknown, kept as text.
                out.append("$(" + expand_make(inner, variables, curdir, depth + 1) + ")")
            else:
                # An undefined variable, or one from the environment or command line.
                out.append("${" + inner + "}")
            i = j
        else:
            if nxt.isalnum() or nxt in "_@<^+*?%|":
                out.append(expand_make(variables.get(nxt, "${" + nxt + "}"), variables, curdir,
                                       depth + 1))
            i += 2
    return "".join(out)


def expand_make_mapped(raw: str, variables: Mapping[str, str],
                       curdir: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """Expand a recipe line as make does before the shell sees it, keeping for each character
    of the result the range of `raw` it came from (so the shell's spans map back to the file)."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    n = len(raw)
    while i < n:
        if raw[i] == "$" and i + 1 < n:
            nxt = raw[i + 1]
            if nxt in "({":
                j = matching(raw, i + 1, nxt, ")" if nxt == "(" else "}")
            elif nxt == "$" or nxt.isalnum() or nxt in "_@<^+*?%|":
                j = i + 2
            else:
                j = i + 1
            piece = expand_make(raw[i:j], variables, curdir) if j > i + 1 else raw[i]
            out.append(piece)
            starts.extend([i] * len(piece))
            ends.extend([j] * len(piece))
            i = j
            continue
        out.append(raw[i])
        starts.append(i)
        ends.append(i + 1)
        i += 1
    return "".join(out), tuple(starts), tuple(ends)


def host_path(value: str, cwd: str) -> str:
    """An absolute, normalised host path for `value` used in directory `cwd`.

    A path that starts with an unknown variable (`${HOME}/.m2`, `${TMP}/ctx`) names an unknown
    place, not one under `cwd`: it is kept as it is.
    """
    if value.startswith("${"):
        return posixpath.normpath(value)
    path = value if value.startswith("/") else posixpath.join(cwd, value)
    norm = posixpath.normpath(path)
    if value.endswith("/.") or value == ".":
        return norm + "/."
    if value.endswith("/") and norm != "/":
        return norm + "/"
    return norm
