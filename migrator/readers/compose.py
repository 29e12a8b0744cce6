"""`docker compose run SERVICE ...` (or `docker-compose run`): does it write into the project?

migrator does not translate compose services into stages. A run whose service bind-mounts a
project directory (`volumes: [".:/src"]` in the compose file, or `-v ./out:/out` on the command
line) may leave build outputs on the host: when nothing else of the entry point takes files out
of a container, that run is the reason the project is refused, at its line, rather than answered
"nothing to migrate". A run of a service with no bind mount writes nothing here.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection
from typing import Any

from migrator.model import Command, Loc, Unsupported

_LINE = re.compile(r"(?m)^[ \t@+-]*(?P<cmd>(?:sudo[ \t]+)?docker[- ]compose\b[^\n]*\brun\b[^\n]*)$")
_FILES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")
_WITH_VALUE = {"-e", "--env", "-v", "--volume", "-w", "--workdir", "-u", "--user",
               "--entrypoint", "--name", "-l", "--label", "-p", "--publish"}


def run_words(words: list[str]) -> tuple[list[str], list[str]] | None:
    """(compose's own options, the words after `run`) of a compose run, else None."""
    if words[:1] == ["docker-compose"]:
        rest = words[1:]
    elif words[:2] == ["docker", "compose"]:
        rest = words[2:]
    else:
        return None
    if "run" not in rest:
        return None
    at = rest.index("run")
    return rest[:at], rest[at + 1:]


def writes_project(cmd: Command, files: Collection[str], read: Callable[[str], str | None],
                   cwd: str) -> bool:
    """Whether this compose run may write into the project (a bind mount of a host path)."""
    return _writes([w.value for w in cmd.argv], files, read, cwd)


def extraction_lines(rel: str, text: str, files: Collection[str],
                     read: Callable[[str], str | None]) -> list[Loc]:
    """Discovery's view: the lines of a build file with a compose run that may write into the
    project (words as written, from the file's directory)."""
    import shlex

    out = []
    for m in _LINE.finditer(text):
        try:
            words = shlex.split(m.group("cmd"), comments=True)
        except ValueError:
            continue
        if _writes(words, files, read, posixpath.dirname(rel) or "."):
            out.append(Loc(rel, text.count("\n", 0, m.start()) + 1))
    return out


def _writes(words: list[str], files: Collection[str], read: Callable[[str], str | None],
            cwd: str) -> bool:
    found = run_words([w for w in words if w != "sudo"])
    if found is None:
        return False
    own, args = found
    service, i = None, 0
    while i < len(args):
        a = args[i]
        if a in ("-v", "--volume") and i + 1 < len(args) and _host_path(args[i + 1]):
            return True
        if a in _WITH_VALUE:
            i += 2
            continue
        if not a.startswith("-"):
            service = a
            break
        i += 1
    if service is None:
        return False
    given = [own[j + 1] for j, o in enumerate(own[:-1]) if o in ("-f", "--file")]
    names = [posixpath.normpath(posixpath.join(cwd, g)) for g in given] or \
        [posixpath.normpath(posixpath.join(cwd, n)) for n in _FILES]
    return any(_mounts_host(_text(read, n), service) for n in names if n in files)


def _text(read: Callable[[str], str | None], rel: str) -> str | None:
    try:
        return read(rel)
    except (OSError, Unsupported):  # unreadable, not UTF-8: read as one that may mount
        return None


def _host_path(volume: str) -> bool:
    source = volume.split(":", 1)[0]
    return ":" in volume and source.startswith((".", "/", "$", "~"))


def _mounts_host(text: str | None, service: str) -> bool:
    import yaml

    if text is None:
        return True  # unreadable: it may
    try:
        doc: Any = yaml.safe_load(text)
    except yaml.YAMLError:
        return True
    services = doc.get("services", doc) if isinstance(doc, dict) else {}
    spec = services.get(service) if isinstance(services, dict) else None
    if not isinstance(spec, dict):
        return True  # the service is not found here (another file, extends): it may
    for v in spec.get("volumes") or ():
        if isinstance(v, str) and _host_path(v):
            return True
        if isinstance(v, dict) and v.get("type") == "bind":
            return True
    return False
