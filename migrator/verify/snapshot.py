"""Read an image into a value: every path as a container of it sees it, plus its run config.

The filesystem comes from ``docker create`` + ``docker export`` rather than from the image's
layer tarballs (``docker save``): export gives the merged view, with whiteouts applied and
overwritten files resolved, which is what a user of the image sees and what two images built
in different ways must agree on. The container is never started, so nothing in the image runs.

What the engine adds to every container is not part of the image (see ``ENGINE_PATHS``).
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import secrets
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Literal

from migrator.verify.engine import DockerClient, EngineError, RunResult

__all__ = [
    "ENGINE_PATHS",
    "ENGINE_TOUCHED_MTIMES",
    "LABEL",
    "Entry",
    "EntryType",
    "ImageSnapshot",
    "RunConfig",
    "SnapshotError",
    "read_export",
    "run_config",
    "snapshot",
]

EntryType = Literal["file", "dir", "symlink", "hardlink", "char", "block", "fifo"]

# Paths that `docker create` puts into every container's init layer, and subtrees that are
# mounted over when the container runs (procfs, sysfs, a tmpfs on /dev, bind mounts for the
# three /etc files). Whatever an image holds there is never seen by its user, and the stubs the
# engine makes are not in the image at all, so these are left out of the snapshot entirely,
# descendants included. Keeping it to a fixed list (rather than guessing which entries are
# engine-made stubs) means both sides of a comparison always drop exactly the same paths.
# /etc/mtab is on the list too: the engine links it to /proc/mounts when the image has none, so
# a user finds one there either way. For an image with no /etc at all (FROM scratch), the
# engine makes /etc to hold these stubs; that directory stays in the snapshot, as a user of the
# image sees it, and is the same on both sides.
ENGINE_PATHS: frozenset[str] = frozenset(
    {
        "/.dockerenv",
        "/etc/hostname",
        "/etc/hosts",
        "/etc/resolv.conf",
        "/etc/mtab",
        "/dev",
        "/proc",
        "/sys",
    }
)

# Directories whose mtime is the container's creation time, because the init layer writes into
# them; their mtime says nothing about the image and is recorded as unknown.
ENGINE_TOUCHED_MTIMES: frozenset[str] = frozenset({"/etc"})

# Containers made for a snapshot carry this label, so any left behind by a killed run can be
# found (`docker ps -a --filter label=migrator.verify`) and removed.
LABEL = "migrator.verify"

# Any path the container cannot exec: the container is never started, and an entrypoint is only
# given so that `docker create` accepts images that have neither ENTRYPOINT nor CMD.
_NEVER_STARTED = "/migrator-verify-never-started"

_HASH_CHUNK = 1 << 20

_TYPES: Mapping[bytes, EntryType] = {
    tarfile.REGTYPE: "file",
    tarfile.AREGTYPE: "file",
    tarfile.CONTTYPE: "file",
    tarfile.GNUTYPE_SPARSE: "file",
    tarfile.DIRTYPE: "dir",
    tarfile.SYMTYPE: "symlink",
    tarfile.LNKTYPE: "hardlink",
    tarfile.CHRTYPE: "char",
    tarfile.BLKTYPE: "block",
    tarfile.FIFOTYPE: "fifo",
}

# File capabilities are the one extended attribute `docker export` carries (as a PAX record);
# a binary that lost `cap_net_raw` behaves differently, so it is part of the file.
_XATTR_PREFIX = "SCHILY.xattr."


class SnapshotError(EngineError):
    """The engine answered, but not with an image: no such image, or the export failed."""


@dataclass(frozen=True)
class Entry:
    """One path in the image filesystem."""

    path: str
    """Absolute, no trailing slash: ``/app/bin``."""
    type: EntryType
    mode: int = 0o644
    """Permission bits including setuid, setgid and sticky (``0o4755``); no file-type bits."""
    uid: int = 0
    gid: int = 0
    size: int = 0
    """Bytes of content for files and hardlinks; 0 for everything else."""
    sha256: str | None = None
    """Hex digest of the content of a file or hardlink; None for everything else."""
    link: str | None = None
    """Symlink target as written in the link; for a hardlink, the absolute path it shares."""
    mtime: int | None = None
    """Seconds since the epoch; None where the engine, not the image, decides it."""
    xattrs: tuple[tuple[str, str], ...] = ()
    """(name, hex value) pairs, sorted by name."""


@dataclass(frozen=True)
class RunConfig:
    """The parts of an image's ``Config`` that decide how its containers run.

    Absent and empty are the same here (``Cmd: null`` and ``Cmd: []`` both mean no command),
    so list-like fields are never None.
    """

    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    """In image order: later entries of the same name win, so order matters."""
    working_dir: str = ""
    user: str = ""
    exposed_ports: tuple[str, ...] = ()
    """Sorted, e.g. ``("80/tcp",)``."""
    volumes: tuple[str, ...] = ()
    """Sorted mount points."""
    labels: tuple[tuple[str, str], ...] = ()
    """Sorted by key: labels are a mapping, their order means nothing."""
    stop_signal: str = ""
    healthcheck: str = ""
    """The ``Healthcheck`` object as JSON with sorted keys, or "" for none."""
    shell: tuple[str, ...] = ()
    on_build: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImageSnapshot:
    """An image as a value: its files, its run config, and what it costs to ship."""

    ref: str
    """The reference it was taken from, as given (a tag or an id)."""
    image_id: str
    size: int
    """``.Size`` from ``docker image inspect``: bytes of all layers, uncompressed."""
    layers: int
    """Number of filesystem layers (``.RootFS.Layers``)."""
    config: RunConfig
    entries: tuple[Entry, ...]
    """Sorted by path."""
    ignored: tuple[str, ...] = ()
    """Paths present in the export but left out (see ``ENGINE_PATHS``), sorted."""

    def by_path(self) -> dict[str, Entry]:
        return {entry.path: entry for entry in self.entries}


def snapshot(client: DockerClient, image_ref: str) -> ImageSnapshot:
    """Take a snapshot of ``image_ref`` on the engine that ``client`` reaches.

    Raises :class:`SnapshotError` when the engine says no (for instance: no such image), and
    :class:`EngineError` when it does not answer in time.
    """
    inspected = _inspect(client, image_ref)
    image_id = _string(inspected.get("Id"))
    rootfs = inspected.get("RootFS")
    layers = rootfs.get("Layers") if isinstance(rootfs, dict) else None
    config = inspected.get("Config")
    entries, ignored = _export(client, image_id or image_ref)
    return ImageSnapshot(
        ref=image_ref,
        image_id=image_id,
        size=_int(inspected.get("Size")),
        layers=len(layers) if isinstance(layers, list) else 0,
        config=run_config(config if isinstance(config, dict) else {}),
        entries=entries,
        ignored=ignored,
    )


def _inspect(client: DockerClient, image_ref: str) -> dict[str, object]:
    result = client.run(["image", "inspect", image_ref])
    if not result.ok:
        raise _failure(result, f"cannot inspect image {image_ref}")
    try:
        parsed = json.loads(result.stdout)
    except ValueError as exc:
        raise SnapshotError(result.args, f"unreadable inspect output: {exc}") from exc
    if not (isinstance(parsed, list) and len(parsed) == 1 and isinstance(parsed[0], dict)):
        raise SnapshotError(result.args, "expected exactly one image in inspect output")
    image: dict[str, object] = parsed[0]
    return image


def _export(client: DockerClient, image: str) -> tuple[tuple[Entry, ...], tuple[str, ...]]:
    token = secrets.token_hex(6)
    name = f"migrator-verify-{token}"
    created = client.run(
        [
            "create",
            "--name",
            name,
            "--label",
            f"{LABEL}={token}",
            # No network to set up for a container that never runs.
            "--network",
            "none",
            "--entrypoint",
            _NEVER_STARTED,
            image,
        ]
    )
    try:
        if not created.ok:
            raise _failure(created, f"cannot create a container from {image}")
        with client.stream(["export", name]) as export:
            try:
                read = read_export(export.stdout)
            except tarfile.TarError as exc:
                # A failed export prints nothing on stdout; its stderr says why.
                result = export.wait()
                if not result.ok:
                    raise _failure(result, "export failed") from exc
                raise SnapshotError(result.args, f"unreadable export: {exc}") from exc
            result = export.wait()
            if not result.ok:
                raise _failure(result, "export failed")
            return read
    finally:
        # -v: an image with VOLUME gets anonymous volumes at create time; they go too.
        client.run(["rm", "--force", "--volumes", name])


def _failure(result: RunResult, what: str) -> SnapshotError:
    return SnapshotError(result.args, f"{what} (exit {result.returncode})", result.stderr_tail())


def read_export(stream: IO[bytes]) -> tuple[tuple[Entry, ...], tuple[str, ...]]:
    """Entries (sorted by path) and ignored paths from a ``docker export`` tar stream.

    The stream is read once, front to back, and never held whole in memory.
    """
    entries: dict[str, Entry] = {}
    ignored: list[str] = []
    with tarfile.open(fileobj=stream, mode="r|", errors="surrogateescape") as archive:
        for member in archive:
            path = _absolute(member.name)
            if path == "/":
                continue
            if _is_engine_path(path):
                ignored.append(path)
                continue
            entry_type = _TYPES.get(member.type)
            if entry_type is None:
                raise tarfile.TarError(f"{path}: unsupported tar member type {member.type!r}")
            size = 0
            sha256: str | None = None
            link: str | None = None
            if entry_type == "file":
                size = member.size
                sha256 = _hash(archive, member)
            elif entry_type == "hardlink":
                link = _absolute(member.linkname)
                # A tar stream names a hardlink's content once, at the first of its paths,
                # which always comes earlier in the stream; the link shares it.
                target = entries.get(link)
                if target is not None:
                    size, sha256 = target.size, target.sha256
            elif entry_type == "symlink":
                link = member.linkname
            entries[path] = Entry(
                path=path,
                type=entry_type,
                mode=member.mode & 0o7777,
                uid=member.uid,
                gid=member.gid,
                size=size,
                sha256=sha256,
                link=link,
                mtime=None if path in ENGINE_TOUCHED_MTIMES else int(member.mtime),
                xattrs=_xattrs(member.pax_headers),
            )
    return tuple(entries[path] for path in sorted(entries)), tuple(sorted(ignored))


def _absolute(name: str) -> str:
    # Export members are relative (`app/bin/`, sometimes `./app`); a user knows them as `/app`.
    return posixpath.normpath("/" + name)


def _is_engine_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in ENGINE_PATHS)


def _hash(archive: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    digest = hashlib.sha256()
    content = archive.extractfile(member)
    if content is not None:
        while chunk := content.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _xattrs(pax_headers: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    found = (
        (key[len(_XATTR_PREFIX) :], value.encode("utf-8", "surrogateescape").hex())
        for key, value in pax_headers.items()
        if key.startswith(_XATTR_PREFIX)
    )
    return tuple(sorted(found))


def run_config(config: Mapping[str, object]) -> RunConfig:
    """A :class:`RunConfig` from the ``Config`` object of ``docker image inspect``."""
    healthcheck = config.get("Healthcheck")
    labels = config.get("Labels")
    return RunConfig(
        entrypoint=_strings(config.get("Entrypoint")),
        cmd=_strings(config.get("Cmd")),
        env=_strings(config.get("Env")),
        working_dir=_string(config.get("WorkingDir")),
        user=_string(config.get("User")),
        exposed_ports=tuple(sorted(_keys(config.get("ExposedPorts")))),
        volumes=tuple(sorted(_keys(config.get("Volumes")))),
        labels=tuple(
            sorted((str(k), _string(v)) for k, v in labels.items())
            if isinstance(labels, dict)
            else ()
        ),
        stop_signal=_string(config.get("StopSignal")),
        healthcheck=json.dumps(healthcheck, sort_keys=True) if healthcheck else "",
        shell=_strings(config.get("Shell")),
        on_build=_strings(config.get("OnBuild")),
    )


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        # Not what inspect prints today, but a bare string is one argument, not its characters.
        return (value,)
    if isinstance(value, list):
        return tuple(_string(item) for item in value)
    return ()


def _string(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _keys(value: object) -> Iterable[str]:
    return (str(key) for key in value) if isinstance(value, dict) else ()


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
