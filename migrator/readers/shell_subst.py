"""The command substitutions whose output is known without running anything.

`$(pwd)`, `$(dirname ...)`, `$(basename ...)`, `$(readlink -f ...)`, `$(realpath ...)`,
`$(cd ... && pwd)` and `$(echo ...)` are computed from the words; `uname` gets a fixed answer
that is said in --explain, as does `git rev-parse --show-toplevel` (the project root). Anything
else (`git describe`, `date`, `id -u`) stays unknown.
"""

from __future__ import annotations

import posixpath
import re
import zlib

from migrator.model import PROJECT
from migrator.readers.words import matching

_REDIRECT = re.compile(r"^(\d*(?:>>|>&|<&|&>|>|<))(.*)$")
# Fixed answers given to harmless questions about the machine (said in --explain).
_FIXED = {
    ("uname",): "Linux", ("uname", "-s"): "Linux", ("uname", "-m"): "x86_64",
    ("uname", "-p"): "x86_64", ("arch",): "x86_64", ("uname", "-o"): "GNU/Linux",
    ("dpkg", "--print-architecture"): "amd64", ("go", "env", "GOARCH"): "amd64",
    ("go", "env", "GOOS"): "linux", ("go", "env", "GOHOSTARCH"): "amd64",
    ("go", "env", "GOHOSTOS"): "linux",
}


def abspath(path: str, cwd: str) -> str:
    full = path if path.startswith("/") else posixpath.join(cwd, path)
    return posixpath.normpath(full)


def answer(argv: list[str], cwd: str, notes: list[str] | None) -> str | None:
    """The output of one harmless command, or None if it is not known without running it."""
    name, args = argv[0], argv[1:]
    fixed = _FIXED.get(tuple(argv))
    if fixed is not None:
        if notes is not None:
            notes.append(f"`{' '.join(argv)}` read as {fixed} (a fixed answer; nothing is run)")
        return fixed
    plain = [a for a in args if not a.startswith("-") or a == "-"]
    opts = [a for a in args if a.startswith("-") and a != "-"]
    if name == "pwd":
        return cwd
    if argv == ["git", "rev-parse", "--show-toplevel"]:
        if notes is not None:
            notes.append("`git rev-parse --show-toplevel` read as the project root")
        return PROJECT
    if name == "echo" and not opts:
        return " ".join(args)
    if name == "dirname" and plain and set(opts) <= {"--"}:
        d = posixpath.dirname(plain[0].rstrip("/") or "/")
        return d or "."
    if name == "basename" and plain and set(opts) <= {"--", "-a"}:
        base = posixpath.basename(plain[0].rstrip("/")) or "/"
        if len(plain) == 2 and base != plain[1] and "-a" not in opts:
            base = base.removesuffix(plain[1])
        return base
    if (name == "realpath" or (name == "readlink" and {"-f", "-e", "-m"} & set(opts))) \
            and len(plain) == 1:
        return abspath(plain[0], cwd)
    return None


def tokenize(body: str) -> list[str]:
    """Split a simple command line into its words and operators (`&&`, `;`, `|`), quotes and
    nested substitutions kept inside their word."""
    out: list[str] = []
    cur: list[str] = []
    i = 0
    n = len(body)
    while i < n:
        c = body[i]
        if c in " \t\n":
            if cur:
                out.append("".join(cur))
                cur = []
            i += 1
            continue
        if c in "&|;" and not cur and body[i : i + 2] != "&>":  # an operator
            op = body[i : i + 2] if body[i : i + 2] in ("&&", "||") else c
            out.append(op)
            i += len(op)
            continue
        if c in "&|;" and cur and not (c == "&" and cur[-1].endswith((">", "<"))):
            out.append("".join(cur))
            cur = []
            continue
        j = _word_end(body, i)
        cur.append(body[i:j])
        i = j
    if cur:
        out.append("".join(cur))
    return out


def drop_redirects(tokens: list[str]) -> list[str]:
    """`cd x >/dev/null 2>&1 && pwd` -> `cd x && pwd`."""
    out: list[str] = []
    skip = False
    for t in tokens:
        if skip:
            skip = False
            continue
        m = _REDIRECT.match(t)
        if m is None:
            out.append(t)
        elif not m.group(2):
            skip = True  # `> /dev/null`: the target is the next token
    return out


def _word_end(body: str, i: int) -> int:
    """The index after the quoted piece, substitution or single character at body[i]."""
    c = body[i]
    if c == "'":
        j = body.find("'", i + 1)
        return len(body) if j < 0 else j + 1
    if c == '"':
        j = i + 1
        while j < len(body) and body[j] != '"':
            if body[j] == "\\":
                j += 1
            elif body.startswith("$(", j):
                j = matching(body, j + 1, "(", ")") - 1
            j += 1
        return min(j + 1, len(body))
    if body.startswith("$(", i):
        return matching(body, i + 1, "(", ")")
    if body.startswith("${", i):
        return matching(body, i + 1, "{", "}")
    if c == "`":
        j = body.find("`", i + 1)
        return len(body) if j < 0 else j + 1
    if c == "\\":
        return min(i + 2, len(body))
    return i + 1


def inline_container(body: str) -> str | None:
    """`$(docker create IMG)` / `$(docker run -d IMG ...)` inside another command's words
    (`docker cp "$(docker create app-build)":/app ./app`): the container it makes, under a name
    the substitution and the recorded command share (both see the same text)."""
    tokens = body.split()
    if tokens[:1] not in (["docker"], ["podman"]) or len(tokens) < 3:
        return None
    if tokens[1] == "create" or (tokens[1] == "container" and tokens[2] == "create") or (
            tokens[1] == "run" and any(t in ("-d", "--detach") for t in tokens[2:])):
        return f"__container_{zlib.crc32(' '.join(tokens).encode()):08x}"
    return None
