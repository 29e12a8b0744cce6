"""Compare two image snapshots: which paths and which run-config fields differ.

Pure: takes two :class:`ImageSnapshot` values and returns a :class:`Comparison` value. The
left image is the reference (the legacy flow's), the right one the candidate (the migrated
Dockerfile's); nothing here depends on that, but the text says "left" and "right".
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields

from migrator.verify.snapshot import Entry, ImageSnapshot, RunConfig

__all__ = ["CONFIG", "Comparison", "Difference", "ImageSummary", "compare"]

CONFIG = "config"
"""The subject of a run-config difference (paths always start with "/", so never clash)."""

# Report order within one path: existence first, and content before metadata.
_ENTRY_FIELDS = ("presence", "type", "mode", "uid", "gid", "size", "sha256", "link", "xattrs")

# Docker's own names, in `docker image inspect` order, for messages a user can look up.
_CONFIG_NAMES = {
    "entrypoint": "Entrypoint",
    "cmd": "Cmd",
    "env": "Env",
    "working_dir": "WorkingDir",
    "user": "User",
    "exposed_ports": "ExposedPorts",
    "volumes": "Volumes",
    "labels": "Labels",
    "stop_signal": "StopSignal",
    "healthcheck": "Healthcheck",
    "shell": "Shell",
    "on_build": "OnBuild",
}
_CONFIG_ORDER = {name: index for index, name in enumerate(_CONFIG_NAMES.values())}
_FIELD_ORDER = {name: index for index, name in enumerate((*_ENTRY_FIELDS, "mtime"))}


@dataclass(frozen=True)
class Difference:
    """One way the two images differ.

    ``subject`` is an absolute path, or ``"config"`` for the run config. ``field`` is what
    differs: for a path one of presence, type, mode, uid, gid, size, sha256, link, xattrs,
    mtime; for the config Docker's name for the field (``Cmd``). For presence, ``left`` and
    ``right`` are the entry's type on the side that has it and None on the side that does not.
    """

    subject: str
    field: str
    left: object
    right: object

    def sort_key(self) -> tuple[int, tuple[str, ...], int]:
        if self.subject == CONFIG:
            return (0, (), _CONFIG_ORDER.get(self.field, len(_CONFIG_ORDER)))
        # By path components, so /a/b sorts with /a and not after /a-b.
        return (1, tuple(self.subject.split("/")), _FIELD_ORDER.get(self.field, len(_FIELD_ORDER)))

    def to_json(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "field": self.field,
            "left": _jsonable(self.field, self.left),
            "right": _jsonable(self.field, self.right),
        }

    def format(self) -> str:
        """One line: ``/app: mode 0644 != 0755``, ``/x: only in left (file)``."""
        if self.field == "presence":
            side, kind = ("left", self.left) if self.right is None else ("right", self.right)
            return f"{self.subject}: only in {side} ({kind})"
        left, right = _show(self.field, self.left), _show(self.field, self.right)
        return f"{self.subject}: {self.field} {left} != {right}"


@dataclass(frozen=True)
class ImageSummary:
    """Which image a side of the comparison is, and what it costs."""

    ref: str
    image_id: str
    size: int
    layers: int

    @classmethod
    def of(cls, image: ImageSnapshot) -> ImageSummary:
        return cls(ref=image.ref, image_id=image.image_id, size=image.size, layers=image.layers)

    def to_json(self) -> dict[str, object]:
        return {"ref": self.ref, "id": self.image_id, "size": self.size, "layers": self.layers}

    def format(self) -> str:
        short_id = self.image_id.removeprefix("sha256:")[:12] or "?"
        layers = "layer" if self.layers == 1 else "layers"
        return f"{self.ref} ({short_id}): {self.size:,} bytes, {self.layers} {layers}"


@dataclass(frozen=True)
class Comparison:
    left: ImageSummary
    right: ImageSummary
    differences: tuple[Difference, ...]
    """Config differences first, then by path, then by field."""
    mtimes: bool
    """Whether modification times were compared."""

    @property
    def equivalent(self) -> bool:
        """Same files, metadata and run config; size and layer count do not count."""
        return not self.differences

    def to_json(self) -> dict[str, object]:
        return {
            "equivalent": self.equivalent,
            "mtimes_compared": self.mtimes,
            "left": self.left.to_json(),
            "right": self.right.to_json(),
            "differences": [difference.to_json() for difference in self.differences],
        }

    def format_text(self, *, limit: int | None = 200) -> str:
        """The comparison for a person: both images, then at most ``limit`` differences.

        A tree that exists on one side only is shown as its top path with a count of what is
        below it, rather than one line per file.
        """
        lines = [f"left:  {self.left.format()}", f"right: {self.right.format()}"]
        if self.equivalent:
            lines.append("equivalent: no differences in files or run config")
            return "\n".join(lines)
        shown = list(_collapse(self.differences))
        count = len(self.differences)
        lines.append(f"{count} difference{'' if count == 1 else 's'}:")
        cut = shown if limit is None else shown[:limit]
        lines.extend(f"  {line}" for line in cut)
        if len(cut) < len(shown):
            lines.append(f"  ... and {len(shown) - len(cut)} more")
        return "\n".join(lines)


def compare(a: ImageSnapshot, b: ImageSnapshot, *, mtimes: bool = False) -> Comparison:
    """Every difference between ``a`` (left) and ``b`` (right), sorted deterministically."""
    differences = [*_config_differences(a.config, b.config)]
    left, right = a.by_path(), b.by_path()
    for path in left.keys() | right.keys():
        differences.extend(_entry_differences(path, left.get(path), right.get(path), mtimes))
    return Comparison(
        left=ImageSummary.of(a),
        right=ImageSummary.of(b),
        differences=tuple(sorted(differences, key=Difference.sort_key)),
        mtimes=mtimes,
    )


def _entry_differences(
    path: str, left: Entry | None, right: Entry | None, mtimes: bool
) -> Iterator[Difference]:
    if left is None or right is None:
        yield Difference(
            path,
            "presence",
            None if left is None else left.type,
            None if right is None else right.type,
        )
        return
    if left.type != right.type:
        # A file that became a directory also differs in size, mode and so on; say it once.
        yield Difference(path, "type", left.type, right.type)
        return
    names = _ENTRY_FIELDS[2:] + (("mtime",) if mtimes else ())
    for name in names:
        before, after = getattr(left, name), getattr(right, name)
        # An mtime the engine decided (None) is unknown, not different.
        if name == "mtime" and (before is None or after is None):
            continue
        if before != after:
            yield Difference(path, name, before, after)


def _config_differences(left: RunConfig, right: RunConfig) -> Iterator[Difference]:
    for item in fields(RunConfig):
        before, after = getattr(left, item.name), getattr(right, item.name)
        # Absent and empty are the same (Cmd null vs []), however the values were made.
        if _empty(before) and _empty(after):
            continue
        if _config_key(item.name, before) != _config_key(item.name, after):
            yield Difference(CONFIG, _CONFIG_NAMES[item.name], before, after)


# Mappings and sets in Docker's config, whose order means nothing (Env, a list, is not one).
_UNORDERED = frozenset({"labels", "exposed_ports", "volumes"})


def _config_key(name: str, value: object) -> object:
    if name in _UNORDERED and isinstance(value, tuple):
        return frozenset(value)
    return value


def _empty(value: object) -> bool:
    return value is None or value in ("", (), [], {})


def _collapse(differences: Iterable[Difference]) -> Iterator[str]:
    """Lines for the text report, with whole missing trees folded into their top path."""
    pending: tuple[Difference, int] | None = None
    for difference in differences:
        if pending is not None:
            top, below = pending
            if (
                difference.field == "presence"
                and difference.subject.startswith(top.subject.rstrip("/") + "/")
                and (difference.left is None) == (top.left is None)
            ):
                pending = (top, below + 1)
                continue
            yield _with_count(top, below)
            pending = None
        if difference.field == "presence" and "dir" in (difference.left, difference.right):
            pending = (difference, 0)
        else:
            yield difference.format()
    if pending is not None:
        yield _with_count(*pending)


def _with_count(top: Difference, below: int) -> str:
    line = top.format()
    return f"{line[:-1]}, {below} more below)" if below else line


def _show(field: str, value: object) -> str:
    if value is None:
        return "-"
    if field == "mode" and isinstance(value, int):
        return f"{value:04o}"
    if field == "sha256" and isinstance(value, str):
        return value[:12]
    if field == "mtime" and isinstance(value, int):
        moment = datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
        return moment.isoformat()
    if field == "xattrs" and isinstance(value, tuple):
        return ",".join(name for name, _ in value) or "none"
    if field == "Healthcheck" and isinstance(value, str):
        return value or "none"
    return json.dumps(_jsonable(field, value))


# Fields held as sorted (key, value) pairs so that the values stay hashable; JSON shows a map.
_PAIRS = frozenset({"Labels", "xattrs"})


def _jsonable(field: str, value: object) -> object:
    if field == "Healthcheck" and isinstance(value, str):
        return json.loads(value) if value else None
    if isinstance(value, tuple):
        if field in _PAIRS:
            return {str(key): item for key, item in value}
        return list(value)
    return value
