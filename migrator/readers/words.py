"""Words shared by the readers: balanced brackets and host paths (make's expansion of a recipe
line is in makeeval.py). Shell expansion of one word is in `shell_words`.
"""

from __future__ import annotations

import posixpath


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
