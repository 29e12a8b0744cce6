"""`$(shell ...)` and `!=`: never run. A few commands have an answer that is the same on any
linux/amd64 build host or that the project's own file list gives (`ls scripts`), and an `echo`
of words reads with an empty environment; each answer is noted for `--explain`. Any other
command stays symbolic: `$(shell CMD)` in the text, `${NAME}` once a variable holds it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from migrator.readers.makeeval import Evaluator

# Commands whose output is the same on any Linux build host we would migrate for.
_FIXED = {"uname -m": "x86_64", "uname -p": "x86_64", "uname -s": "Linux", "uname": "Linux",
          "go env GOARCH": "amd64", "go env GOOS": "linux", "go env GOHOSTARCH": "amd64",
          "go env GOHOSTOS": "linux", "id -u": "0", "id -g": "0", "arch": "x86_64",
          "dpkg --print-architecture": "amd64"}
_LOWER = ("tr A-Z a-z", "tr '[:upper:]' '[:lower:]'", 'tr "[:upper:]" "[:lower:]"',
          "tr [:upper:] [:lower:]")
# A silent docker probe whose fallback runs only when docker cannot be used: on a build host
# that migrates (it runs docker), the probe succeeds and prints nothing.
_DOCKER_WORKS = re.compile(r"^docker (info|version|ps)\b[^|;]*>\s*/dev/null[^|;]*\|\|")
_ENV_DEFAULT = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")


def answer(ev: Evaluator, command: str) -> str:
    """What `$(shell command)` gives, without running it."""
    words = command.split()
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        words.pop(0)  # `GOTOOLCHAIN=local go env GOARCH`
    found, why = _known(ev, " ".join(words))
    if found is None:
        ev.note(f"$(shell {command}) is not run; its value stays unknown (a version, a sha, "
                "a date is passed on as it is)")
        return f"$(shell {command})"
    ev.note(f"$(shell {command}) is not run; read as {found!r} ({why})")
    return found


def _known(ev: Evaluator, key: str) -> tuple[str | None, str]:
    host = "a linux/amd64 build host"
    head, _, pipe = key.partition(" | ")
    if pipe in _LOWER:  # `uname -s | tr A-Z a-z`, `echo $(REPO) | tr ...`
        if head in _FIXED:
            return _FIXED[head].lower(), host
        echoed = _echo(head[5:]) if head.startswith("echo ") else None
        return (echoed.lower(), "an empty environment") if echoed is not None else (None, "")
    if key in _FIXED:
        return _FIXED[key], host
    if _DOCKER_WORKS.match(key):  # `docker info >/dev/null 2>&1 || echo "sudo -E"`
        return "", "docker works without sudo on the build host"
    if key in ("pwd", "pwd -P"):
        return ev.curdir, "the directory make runs in"
    words = key.split()
    if words[:1] == ["ls"] and all(not w.startswith("-") or w == "-1" for w in words[1:]):
        return _ls(ev, [w for w in words[1:] if w != "-1"]), "the project's files"
    if words[:1] == ["echo"] and "-" not in words[1:2]:
        return _echo(key[5:]), "an empty environment"
    return None, ""


def _ls(ev: Evaluator, args: list[str]) -> str | None:
    """`ls DIR`: the entries directly in a project directory, sorted as ls sorts them."""
    names: set[str] = set()
    for arg in args or ["."]:
        rel = ev.relative(arg)
        prefix = "" if rel == "." else rel + "/"
        if prefix and rel not in ev.dirs:
            return None
        for f in ev.files:
            if f.startswith(prefix):
                names.add(f[len(prefix) :].split("/", 1)[0])
    return " ".join(sorted(names))


def _echo(args: str) -> str | None:
    """`echo WORDS` with nothing but literals and `${VAR:-default}`: what it prints with an
    empty environment (the environment is never read)."""
    if re.search(r"[`;|&<>()*?\\'\"]|\$\(", args):
        return None
    return " ".join(_ENV_DEFAULT.sub(lambda m: m.group(1) or "", args).split())
