"""`$(shell ...)` and `!=`: never run. A few commands have an answer that is the same on any
linux/amd64 build host or that the project's own file list gives (`ls scripts`), and an `echo`
of words reads with an empty environment; each answer is noted for `--explain`. Any other
command stays symbolic: `$(shell CMD)` in the text, `${NAME}` once a variable holds it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from migrator.model import PROJECT
from migrator.readers.shell_subst import inline_container

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
    if found is None and inline_container(command) is not None:
        # `docker cp $(shell docker create app-build):/app .`: the container it creates, made
        # where the recipe line runs (the shell reader records the create there)
        ev.note(f"$(shell {command}) is not run; read as the container it creates")
        return f"$({command})"
    if found is None:
        ev.note(f"$(shell {command}) is not run; its value stays unknown (a version, a sha, "
                "a date is passed on as it is)")
        return f"$(shell {command})"
    ev.note(f"$(shell {command}) is not run; read as {found!r} ({why})")
    return found


def _known(ev: Evaluator, key: str) -> tuple[str | None, str]:
    if _DOCKER_WORKS.match(key):  # `docker info >/dev/null 2>&1 || echo "sudo -E"`
        return "", "docker works without sudo on the build host"
    head, _, pipe = key.partition(" | ")
    if pipe:  # `uname -s | tr A-Z a-z`, `echo $(REPO) | tr ...`
        found, why = _known(ev, head) if pipe in _LOWER else (None, "")
        return (found.lower() if found is not None else None), why
    if key in _FIXED:
        return _FIXED[key], "a linux/amd64 build host"
    name, _, rest = key.partition(" ")
    handler = _COMMANDS.get(name)
    return handler(ev, rest.strip()) if handler is not None else (None, "")


def _pwd(ev: Evaluator, rest: str) -> tuple[str | None, str]:
    return (ev.curdir if rest in ("", "-P", "-L") else None), "the directory make runs in"


def _git(ev: Evaluator, rest: str) -> tuple[str | None, str]:
    return (PROJECT if rest == "rev-parse --show-toplevel" else None), "the project's root"


def _cat(ev: Evaluator, rest: str) -> tuple[str | None, str]:
    """`cat VERSION`: a project file's text, as make's shell function gives it (newlines as
    blanks, the last one dropped)."""
    if not rest or any(c in rest for c in " $`'\"*?") or ev.load is None:
        return None, ""
    text = ev.load(ev.relative(rest))
    return (" ".join(text.rstrip("\n").split("\n")) if text is not None else None), \
        f"the project's {rest}"


def _path_part(ev: Evaluator, rest: str, dirname: bool) -> tuple[str | None, str]:
    if not rest or any(c in rest for c in " $`'\"*?"):
        return None, ""
    path = rest.rstrip("/") or "/"
    return (posixpath.dirname(path) or "." if dirname else posixpath.basename(path)), "its text"


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


def _echo_answer(ev: Evaluator, rest: str) -> tuple[str | None, str]:
    return (_echo(rest) if not rest.startswith("-") else None), "an empty environment"


def _ls_answer(ev: Evaluator, rest: str) -> tuple[str | None, str]:
    args = rest.split()
    if any(a.startswith("-") and a != "-1" for a in args):
        return None, ""
    return _ls(ev, [a for a in args if a != "-1"]), "the project's files"


def _echo(args: str) -> str | None:
    """`echo WORDS` with nothing but literals and `${VAR:-default}`: what it prints with an
    empty environment (the environment is never read)."""
    if re.search(r"[`;|&<>()*?\\'\"]|\$\(", args):
        return None
    return " ".join(_ENV_DEFAULT.sub(lambda m: m.group(1) or "", args).split())


_COMMANDS: dict[str, Callable[[Evaluator, str], tuple[str | None, str]]] = {
    "pwd": _pwd, "git": _git, "cat": _cat, "echo": _echo_answer, "ls": _ls_answer,
    "basename": lambda ev, rest: _path_part(ev, rest, False),
    "dirname": lambda ev, rest: _path_part(ev, rest, True),
}
