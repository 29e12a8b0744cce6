"""The tar command lines a flow streams artifacts through."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from migrator.model import HostOp


def tar_members(args: Sequence[str]) -> tuple[str, tuple[str, ...]] | None:
    """`tar -c [-C dir] [-f -] members...` run in a container: (directory, members)."""
    if not args or posixpath.basename(args[0]) != "tar":
        return None
    directory = "/"
    members: list[str] = []
    creating = False
    i = 1
    while i < len(args):
        a = args[i]
        if a in ("-C", "--directory"):
            directory = posixpath.join(directory, args[i + 1]) if i + 1 < len(args) else directory
            i += 2
            continue
        if a.startswith("--directory="):
            directory = posixpath.join(directory, a.split("=", 1)[1])
        elif a in ("-f", "--file"):
            i += 2
            continue
        elif a.startswith("-") or (i == 1 and not a.startswith("/") and "c" in a and
                                   set(a) <= set("cvzjJpf")):
            letters = a.lstrip("-")
            creating = creating or "c" in letters
            if "f" in letters and not a.startswith("--"):
                i += 2 if letters.endswith("f") else 1
                continue
        else:
            members.append(a)
        i += 1
    if not creating or not members:
        return None
    return directory, tuple(members)


def tar_extract_dir(op: HostOp, cwd: str) -> str | None:
    """Where a host `tar -x [-C dir]` unpacks, or None if it does not extract."""
    args = op.args
    extracting = any(("x" in a.lstrip("-") and not a.startswith("--")) or a == "--extract"
                     for a in args if a.startswith("-") or args.index(a) == 0)
    if not extracting:
        return None
    directory = cwd
    for i, a in enumerate(args):
        if a in ("-C", "--directory") and i + 1 < len(args):
            directory = posixpath.join(directory, args[i + 1])
        elif a.startswith("--directory="):
            directory = posixpath.join(directory, a.split("=", 1)[1])
    return posixpath.normpath(directory)


_HOST_TAR_WITH_ARG = {"-C", "--directory", "-f", "--file", "--exclude", "-T", "--files-from",
                      "--strip-components", "--transform", "--owner", "--group", "--mode"}


def tar_file_and_members(args: Sequence[str]) -> tuple[str | None, tuple[str, ...]]:
    """A host `tar`'s archive (`-f FILE`, None for standard input) and the members it names."""
    archive: str | None = None
    members: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            name, eq, val = a.partition("=")
            if name in ("--file",):
                archive = val if eq else (args[i + 1] if i + 1 < len(args) else None)
            i += 1 if eq or name not in _HOST_TAR_WITH_ARG else 2
            continue
        if a.startswith("-") or (i == 0 and a.isalpha()):
            values = [c for c in a.lstrip("-") if c in "fCT"]
            for k, c in enumerate(values):
                if c == "f" and i + 1 + k < len(args):
                    archive = args[i + 1 + k]
            i += 1 + len(values)
            continue
        members.append(a)
        i += 1
    return (None if archive == "-" else archive), tuple(members)
