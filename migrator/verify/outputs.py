"""Files a flow leaves on the host, as snapshots: how an extraction-only flow is compared.

An extraction-only project builds no image from its artifacts: the legacy script copies them
out of a builder (`docker cp` into `dist/`), and its migration writes them with
`docker build --output type=local,dest=dist`. What must match is then that directory, in the
legacy copy of the project and in the migrated one: the same paths, types, modes, owners and
contents. Each side becomes an :class:`ImageSnapshot` with no run config, its paths rooted at
the project (`/dist/mytool`), so `compare` judges it as it judges images.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator

from migrator.verify.snapshot import Entry, EntryType, ImageSnapshot, RunConfig


def host_snapshot(root: str, paths: Iterable[str], ref: str, *,
                  only: set[str] | None = None) -> ImageSnapshot:
    """Everything at and under each of PATHS (relative to ROOT; missing ones are absent), or
    of those only the ONLY ones (relative paths)."""
    entries: dict[str, Entry] = {}
    for rel in paths:
        for path in _walk(os.path.join(root, rel)):
            if only is not None and os.path.normpath(os.path.relpath(path, root)) not in only:
                continue
            entry = _entry(root, path)
            entries[entry.path] = entry
    found = tuple(entries[p] for p in sorted(entries))
    return ImageSnapshot(ref=ref, image_id="", size=sum(e.size for e in found), layers=0,
                         config=RunConfig(), entries=found)


Stat = tuple[int, int, int]  # (st_mode, size, mtime_ns) of a path: enough to see it changed


def stat_tree(root: str) -> dict[str, Stat]:
    """Every path under ROOT (relative) with its stat, taken before a flow runs."""
    found: dict[str, Stat] = {}
    for path in _walk(root):
        info = os.lstat(path)
        found[os.path.relpath(path, root)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return found


def written(root: str, before: dict[str, Stat], dests: Iterable[str]) -> set[str]:
    """The paths at or under DESTS (relative to ROOT) that are new or changed since BEFORE."""
    found = set()
    for rel in dests:
        for path in _walk(os.path.join(root, rel)):
            name = os.path.normpath(os.path.relpath(path, root))
            info = os.lstat(path)
            if before.get(name) != (info.st_mode, info.st_size, info.st_mtime_ns):
                found.add(name)
    return found


def output_paths(copy: str, outputs: Iterable[str]) -> tuple[str, ...]:
    """The `--output` destinations a flow used, relative to its project copy (outside: left
    out; the shim refuses those anyway)."""
    real = os.path.realpath(copy)
    found = []
    for dest in outputs:
        rel = os.path.relpath(os.path.realpath(dest), real)
        if rel != ".." and not rel.startswith(".." + os.sep):
            found.append(rel)
    return tuple(dict.fromkeys(found))


def _walk(top: str) -> Iterator[str]:
    if not os.path.lexists(top):
        return
    yield top
    if os.path.isdir(top) and not os.path.islink(top):
        for here, dirs, files in os.walk(top):
            dirs.sort()
            for name in sorted(dirs + files):
                yield os.path.join(here, name)


def _entry(root: str, path: str) -> Entry:
    info = os.lstat(path)
    name = "/" + os.path.relpath(path, root).replace(os.sep, "/")
    mode, uid, gid = stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid
    if stat.S_ISLNK(info.st_mode):
        return Entry(name, "symlink", mode, uid, gid, link=os.readlink(path))
    if stat.S_ISDIR(info.st_mode):
        return Entry(name, "dir", mode, uid, gid)
    if stat.S_ISREG(info.st_mode):
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return Entry(name, "file", mode, uid, gid, size=info.st_size, sha256=digest.hexdigest())
    kind: EntryType = "fifo" if stat.S_ISFIFO(info.st_mode) else (
        "block" if stat.S_ISBLK(info.st_mode) else "char")
    return Entry(name, kind, mode, uid, gid)
