"""Write a project's planned changes, all or nothing, each file atomically; or show them as a diff.

The only module that changes the disk. Every new text is written to a temporary file beside its
target first; only when all are written are they renamed into place (and removed files removed).
A file whose content does not change is never rewritten; a rewritten file keeps its mode.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import posixpath
import tempfile
from collections.abc import Sequence

from migrator.plan import FileChange


class WriteError(Exception):
    pass


def unified_diff(root_label: str, changes: Sequence[FileChange]) -> str:
    out: list[str] = []
    for c in changes:
        old = (c.old or "").splitlines(keepends=True)
        new = (c.new or "").splitlines(keepends=True)
        path = posixpath.normpath(posixpath.join(root_label, c.path)).lstrip("/")
        a = f"a/{path}" if c.old is not None else "/dev/null"
        b = f"b/{path}" if c.new is not None else "/dev/null"
        for line in difflib.unified_diff(old, new, a, b):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write(root: str, changes: Sequence[FileChange]) -> None:
    """Apply `changes` under `root`, all or nothing."""
    staged: list[tuple[str, str]] = []
    try:
        for c in changes:
            if c.new is None or c.new == c.old:
                continue
            target = os.path.join(root, c.path)
            current = _read(target)
            if current != (c.old or None):
                raise WriteError(f"{c.path}: changed since it was read; nothing written")
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target) or ".",
                                       prefix=f".{os.path.basename(target)}.", suffix=".migrator")
            staged.append((tmp, target))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(c.new)
                f.flush()
                os.fsync(f.fileno())
            mode = os.stat(target).st_mode & 0o7777 if os.path.exists(target) else 0o644
            os.chmod(tmp, mode)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    for c in changes:
        if c.new is None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(root, c.path))


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return None
