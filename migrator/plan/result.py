"""What planning returns: the new text of every file it changes, and what it says about them."""

from __future__ import annotations

from dataclasses import dataclass

from migrator.model import Problem


@dataclass(frozen=True)
class FileChange:
    path: str
    old: str | None  # None: the file is new
    new: str | None  # None: the file is removed


@dataclass(frozen=True)
class Plan:
    changes: tuple[FileChange, ...]
    explain: tuple[str, ...]
    warnings: tuple[Problem, ...]


def merged(changes: tuple[FileChange, ...]) -> tuple[FileChange, ...]:
    """One change per file. A file two planners change (a Dockerfile that gets stages and whose
    comments document the build commands) gets both: the second change's changed lines are
    replaced in the first one's text, where those lines still stand, once; a removal wins."""
    out: dict[str, FileChange] = {}
    for c in changes:
        have = out.get(c.path)
        if have is None or have.new is None:
            out.setdefault(c.path, c)
        elif c.new is None:
            out[c.path] = c
        else:
            out[c.path] = FileChange(c.path, have.old, _replay(have, c))
    return tuple(out.values())


def spread(changes: tuple[FileChange, ...], documents: set[str]) -> tuple[FileChange, ...]:
    """A document's edited lines also change where the migration copied them (a builder
    Dockerfile's header comment that documents the legacy commands, now above its stage in
    the runtime Dockerfile), so no copy keeps documenting the legacy build."""
    docs = [c for c in changes if c.path in documents and c.new is not None]
    out = []
    for c in changes:
        new = c.new
        for d in docs:
            if d.path != c.path and new is not None:
                new = _replay(FileChange(c.path, c.old, new), d, strict=False)
        out.append(c if new == c.new else FileChange(c.path, c.old, new))
    return tuple(out)


def _replay(base: FileChange, other: FileChange, strict: bool = True) -> str:
    import difflib

    from migrator.problems import Unsupported

    assert base.new is not None and other.new is not None
    old = (other.old or "").splitlines(keepends=True)
    new = other.new.splitlines(keepends=True)
    text = base.new.splitlines(keepends=True)
    ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(ops):
        if tag == "equal":
            continue
        block = old[i1:i2]
        at = [k for k in range(len(text) - len(block) + 1) if text[k : k + len(block)] == block]
        if (not block or len(at) != 1) and not strict:
            continue
        if not block or len(at) != 1:
            raise Unsupported(None, f"{base.path}: two parts of the migration change the same "
                                    "lines of this file")
        text[at[0] : at[0] + len(block)] = new[j1:j2]
    return "".join(text)
