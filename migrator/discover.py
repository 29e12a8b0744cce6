"""Find a project's files, its build files (by content, not by name) and the entry points worth
reading.

The only module of the analysis that reads the disk. It reads each build file once and hands the
texts on. A cheap text check decides first whether any build file takes files out of a container
(docker called by name, through a variable such as `$(DOCKER)`, through sudo, split over `\\`
lines); a project where none does pays for no parser.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from migrator.problems import Loc, Unsupported

_SKIP_DIRS = {".git", ".hg", ".svn", ".bzr", "node_modules", "vendor", "_vendor", "third_party",
              "bower_components", ".venv", "venv", "__pycache__", ".tox", ".terraform"}
MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
_SHELL_EXTS = (".sh", ".bash")
_SHEBANG = re.compile(r"#![ \t]*(?:/usr)?(?:/local)?/bin/(?:env[ \t]+(?:-S[ \t]+)?)?"
                      r"(?:ba|da|k|z)?sh\b")
# Extensions that are never a script, so extensionless files are the only ones sniffed.
_CI_FILES = (".travis.yml", ".gitlab-ci.yml", ".circleci/config.yml")
# go-task's Taskfile: YAML whose `cmds:` are shell commands, read as a CI file is.
_TASKFILES = ("Taskfile.yml", "Taskfile.yaml", "taskfile.yml", "taskfile.yaml")
# A builder pattern takes files out of a container: cp/create/export, or a run that writes to
# the host (redirection, pipe, bind mount). `docker` may be `$(DOCKER)`, `${DOCKER_CMD:-docker}`.
_EXTRACTION = re.compile(
    # (`docker network|volume|manifest ... create` make no container.)
    r"docker\b[^\n]*(?<![-=\w])(?<!--target )(?<!network )(?<!volume )(?<!manifest )"
    r"(?<!buildx )(?<!context )(?<!secret )(?<!config )(cp|create|export)\b"
    r"|docker\b[^\n]*\brun\b[^\n]*(>|\||-v\b|--volume|--mount"
    r"|\$\{\w+\[[@*]\]\})",  # `docker run "${RUN_ARGS[@]}" img`: options from an array
    re.IGNORECASE,
)
_CONTINUATION = re.compile(r"\\[ \t]*\r?\n")
# Build tools that run a project's Dockerfile and copy files out of the container themselves
# (rancher/dapper: `ENV DAPPER_OUTPUT ./bin` in Dockerfile.dapper). migrator does not read their
# code, so such a line is an extraction no script of the project shows.
_TOOL_OUTPUTS = {"Dockerfile.dapper": re.compile(r"^\s*ENV\s+DAPPER_OUTPUT[\s=]", re.I | re.M)}


@dataclass(frozen=True)
class BuildFile:
    path: str  # project-relative
    kind: str  # "shell" | "make" | "ci" | "python"


@dataclass(frozen=True)
class Project:
    root: str  # absolute directory
    files: frozenset[str]  # project-relative paths of regular files and symlinks
    dirs: frozenset[str]
    candidates: tuple[str, ...]  # build files worth reading as entry points (texts handed on)
    build_files: tuple[BuildFile, ...] = ()  # every script, Makefile and CI file in the tree
    extracts: tuple[Loc, ...] = ()  # lines whose text takes files out of a container
    tool_outputs: tuple[Loc, ...] = ()  # a build tool's output setting (DAPPER_OUTPUT)

    def kind(self, path: str) -> str:
        return next((b.kind for b in self.build_files if b.path == path), "shell")


def scan(root: str, links: set[str] | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """Project-relative files and directories (symlinked directories are not entered); the
    symlinked files go into `links` too."""
    files: set[str] = set()
    dirs: set[str] = set()
    todo = [("", root)]
    while todo:
        rel_here, here = todo.pop()
        try:
            entries = list(os.scandir(here))
        except (NotADirectoryError, FileNotFoundError):
            continue
        for entry in entries:
            rel = rel_here + entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in _SKIP_DIRS:
                    dirs.add(rel)
                    todo.append((rel + "/", entry.path))
            else:
                files.add(rel)  # regular files, symlinks (also to directories), the rest
                if links is not None and entry.is_symlink():
                    links.add(rel)
    return frozenset(files), frozenset(dirs)


def read_text(root: str, rel: str, plain: bool = False) -> str:
    """A project file's text, refusing paths and symlinks that lead out of the project.
    `plain`: the scan saw a regular file with no symlink on its way (no need to resolve it)."""
    if plain:
        real = os.path.join(root, rel)
    else:
        real_root = os.path.realpath(root)
        real = os.path.realpath(os.path.join(root, rel))
        if real != real_root and not real.startswith(real_root + os.sep):
            raise Unsupported(Loc(rel, 1), "symlink points outside the project")
    try:
        with open(real, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise Unsupported(None, f"{rel}: file not found") from None
    except IsADirectoryError:
        raise Unsupported(None, f"{rel}: is a directory, not a file") from None
    except PermissionError:
        raise Unsupported(Loc(rel, 1), "cannot read this file: permission denied") from None
    return _decode(rel, data)


def _decode(rel: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unsupported(Loc(rel, data.count(b"\n", 0, exc.start) + 1), "not UTF-8 text") from None


def kind_by_name(rel: str) -> str | None:
    """"make", "ci" or "shell" when the name alone says so; None otherwise."""
    name = posixpath.basename(rel)
    if name in MAKEFILES or name.endswith(".mk"):
        return "make"
    if rel in _CI_FILES or name in _TASKFILES or (rel.startswith(".github/workflows/")
                                                  and rel.endswith((".yml", ".yaml"))):
        return "ci"
    if name.endswith(_SHELL_EXTS):
        return "shell"
    return None


def _sniff_shebang(root: str, rel: str) -> bytes | None:
    """The bytes of an extensionless file that starts with a shell `#!` line (others: only
    their first bytes are read)."""
    try:
        with open(os.path.join(root, rel), "rb") as f:
            head = f.read(64)
            return head + f.read() if shell_shebang(head.decode("latin-1")) else None
    except OSError:
        return None


def shell_shebang(first_line: str) -> bool:
    """`#!/bin/sh`, `#!/usr/bin/env bash` and the like."""
    return _SHEBANG.match(first_line) is not None


def classify(root: str, files: frozenset[str]) -> tuple[tuple[BuildFile, ...], dict[str, bytes]]:
    """The build files, and the bytes of those that had to be opened to be recognised."""
    out = []
    sniffed: dict[str, bytes] = {}
    for rel in sorted(files):
        kind = kind_by_name(rel)
        if kind is None and "." not in rel[rel.rfind("/") + 1 :]:
            data = _sniff_shebang(root, rel)
            if data is not None:
                kind, sniffed[rel] = "shell", data
        if kind is not None:
            out.append(BuildFile(rel, kind))
    return tuple(out), sniffed


def mentions_engine(text: str) -> bool:
    """The text names a container engine's CLI (docker, or podman/nerdctl, which take the
    same commands)."""
    low = text.lower()
    return "docker" in low or "podman" in low or "nerdctl" in low


def extraction_lines(path: str, text: str) -> list[Loc]:
    """Lines whose command (continuations joined) takes something out of a container."""
    return [Loc(path, line) for line in _extractions(text)]


_OTHER_CLIS = re.compile(r"\b(?:podman|nerdctl)\b", re.IGNORECASE)


def _extractions(text: str) -> Iterator[int]:
    low = text.lower()
    other = "podman" in low or "nerdctl" in low
    if "docker" not in low and not other:
        return
    if other:  # docker's commands under another name (no newline moves: line numbers hold)
        text = _OTHER_CLIS.sub("docker", text)
    joined = _CONTINUATION.sub(lambda m: " " * (len(m.group()) - 1) + "\v", text)
    for m in _EXTRACTION.finditer(joined):
        start = joined.rfind("\n", 0, m.start()) + 1
        if not joined[start : m.start()].lstrip().startswith("#"):
            yield joined.count("\n", 0, m.start()) + joined.count("\v", 0, m.start()) + 1


def shows_pattern(text: str) -> bool:
    """Whether a command of `text` takes something out of a container (stops at the first)."""
    return next(_extractions(text), None) is not None


def _mentions(text: str, rel: str) -> bool:
    name = posixpath.basename(rel)
    return name in text or rel in text


_PY_SKIP = ("tests/", "test/", "testing/", "docs/", "doc/", "examples/", "site-packages/",
            "build/lib/")
_PY_IMPORTS = re.compile(
    r"^[ \t]*(import|from)[ \t]+([\w.]+[ \t]*,[ \t]*)*(subprocess|os|docker|invoke|nox|sh)\b", re.M)
# What takes files out of a container, in Python: list elements, the SDK's calls, mounts.
_PY_EXTRACTION = re.compile(
    r"""['"](cp|create|export)['"]|\bget_archive\b|\bcontainers\.(create|run)\b"""
    r"""|docker\b[^\n]*\b(cp|create|export)\b|docker\b[^\n]*\brun\b[^\n]*(-v\b|--volume|--mount|>)"""
    r"""|\bvolumes\s*=|['"](-v|--volume|--mount)['"]""")


def is_python_build_script(rel: str, text: str) -> bool:
    """A Python file that drives docker: imports a process or Docker module, mentions docker and
    copies files out of a container. Test, docs and vendored trees hold no build scripts."""
    if not rel.endswith(".py") or any(f"/{d}" in f"/{rel}" for d in _PY_SKIP):
        return False
    return "docker" in text and _PY_IMPORTS.search(text) is not None and \
        _PY_EXTRACTION.search(text) is not None


def python_build_files(root: str, files: frozenset[str], texts: dict[str, str],
                       extracts: list[Loc]) -> list[BuildFile]:
    """The project's Python build scripts (`build.py`, `tasks.py`, `noxfile.py`, a release
    script anywhere): their texts go into `texts`, their extraction lines into `extracts`."""
    out = []
    for rel in sorted(files):
        if not rel.endswith(".py") or any(f"/{d}" in f"/{rel}" for d in _PY_SKIP):
            continue
        with contextlib.suppress(OSError):
            if os.path.getsize(os.path.join(root, rel)) > 1_000_000:
                continue
        text = read_text(root, rel)
        if not is_python_build_script(rel, text):
            continue
        texts[rel] = text
        out.append(BuildFile(rel, "python"))
        extracts.extend(Loc(rel, text.count("\n", 0, m.start()) + 1)
                        for m in _PY_EXTRACTION.finditer(text))
    return out


def discover(root: str) -> tuple[Project, dict[str, str]]:
    """The project and the texts of its build files (read once, handed on)."""
    if not os.path.isdir(root):
        raise Unsupported(None, f"{root}: not a directory")
    links: set[str] = set()
    files, dirs = scan(root, links)
    build, sniffed = classify(root, files)
    texts: dict[str, str] = {}
    extracts: list[Loc] = []
    # The scan entered no symlinked directory: only a symlinked file needs resolving.
    plain = not os.path.islink(root)
    for b in build:
        direct = plain and b.path not in links
        data = sniffed.get(b.path) if direct else None
        texts[b.path] = _decode(b.path, data) if data is not None else read_text(root, b.path,
                                                                                   direct)
        extracts.extend(extraction_lines(b.path, texts[b.path]))
        if "compose" in texts[b.path]:  # a compose run whose service mounts the project
            from migrator.readers.compose import extraction_lines as compose_lines

            extracts.extend(compose_lines(b.path, texts[b.path], files,
                                          lambda rel: read_text(root, rel)))
    python = python_build_files(root, files, texts, extracts)
    build = (*build, *python)
    tools = tuple(_tool_outputs(root, files))
    extracts.extend(tools)
    if not extracts:  # no build file does it: maybe the documentation gives the build
        docs = _documented(root, files, texts, extracts)
        build = (*build, *docs)
    project = Project(os.path.abspath(root), files, dirs, (), build, tuple(extracts), tools)
    if not extracts:
        return project, {}
    return _with_candidates(project, texts), texts


def _documented(root: str, files: frozenset[str], texts: dict[str, str],
                extracts: list[Loc]) -> list[BuildFile]:
    """Dockerfiles and READMEs whose documented commands are a builder pattern: two image
    builds and a step taking files out of a container (one `docker run -v` example of using the
    image is not one)."""
    found, lines, builds, read = [], [], 0, {}
    for rel in sorted(files):
        name = rel[rel.rfind("/") + 1 :]
        if not (name.startswith("Dockerfile") or name.lower().startswith("readme")):
            continue
        text = read_text(root, rel)
        if "docker build" not in text.lower():
            continue
        from migrator.readers.docs import docs_view, documented_builds

        view = docs_view(rel, text)
        if documented_builds(view):
            # The builder's Dockerfile may document its half, the runtime's the other.
            read[rel] = text
            lines.extend(extraction_lines(rel, view))
            builds += documented_builds(view)
            found.append(BuildFile(rel, "docs"))
    if not lines or builds < 2:
        return []
    texts.update(read)
    extracts.extend(lines)
    return found


def _tool_outputs(root: str, files: frozenset[str]) -> list[Loc]:
    found: list[Loc] = []
    for rel in sorted(files):
        name = rel[rel.rfind("/") + 1 :]
        pattern = _TOOL_OUTPUTS.get(name)
        if pattern is not None:
            text = read_text(root, rel)
            found.extend(Loc(rel, text.count("\n", 0, m.start()) + 1)
                         for m in pattern.finditer(text))
        elif name[:1] in "Jj." and is_jenkinsfile(name):  # not read: its docker steps seen
            found.extend(Loc(rel, n) for n in _extractions(read_text(root, rel)))
    return found


def is_jenkinsfile(name: str) -> bool:
    """A Jenkins pipeline (Groovy) or a justfile: files migrator does not read."""
    return name == "Jenkinsfile" or name.startswith("Jenkinsfile.") or is_justfile(name)


def is_justfile(name: str) -> bool:
    return name in ("justfile", "Justfile", ".justfile")


def _with_candidates(project: Project, texts: dict[str, str]) -> Project:
    """Entry candidates: build files that call docker, and the files that run those (a
    top-level script that runs `gateway/build.sh`, a CI file that runs `make`), to a fixpoint."""
    chosen = {b.path for b in project.build_files
              if b.kind != "ci" and mentions_engine(texts[b.path])}
    changed = True
    while changed:
        changed = False
        makes = any(project.kind(p) == "make" for p in chosen)
        for b in project.build_files:
            if b.path in chosen:
                continue
            text = texts[b.path]
            if (b.kind == "ci" and mentions_engine(text)) or any(
                    _mentions(text, p) for p in chosen) or (makes and "make" in text.lower()):
                chosen.add(b.path)
                changed = True
    # Included `*.mk` files are read through the Makefile that includes them.
    order = [b.path for b in project.build_files if b.path in chosen
             and (b.kind != "make" or posixpath.basename(b.path) in MAKEFILES)]
    return Project(project.root, project.files, project.dirs, tuple(order), project.build_files,
                   project.extracts, project.tool_outputs)
