"""The abstract machine inference runs the script's operations on.

It models what the legacy script changes: the engine's images (tag -> the build that made it and
the command it runs), its containers (name or captured id -> image, what ran in it), and the host
tree, where each path a container produced carries its provenance (an `Artifact`: from which
image and path, by which step, and every later step that changed it). Handlers in `ops/` each
apply one kind of operation to it; `finish` turns the final state into a frozen `Flow`.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from migrator.infer.flow import DIST, RunStage, Step
from migrator.interpret import project_rel
from migrator.model import Artifact, BuildOp, Command, Dockerfile, HostOp, Loc, Problem, Unsupported

ImageCommand = tuple[tuple[str, ...], tuple[str, ...]]  # (ENTRYPOINT, CMD)


@dataclass
class Image:
    """An image the script tagged: the build that made it and the command it runs."""

    build: BuildOp
    command: ImageCommand = ((), ())


@dataclass
class Container:
    image: str  # the image it runs as the script names it, or a run stage's key
    cmd: Command  # the step that created it


@dataclass(frozen=True)
class TarStream:
    """A tar stream written by a container into a pipe, waiting for the host `tar -x`."""

    image: str
    create: str  # the command that writes the same stream inside the builder
    directory: str  # where members are read from in the container
    members: tuple[str, ...]
    source: Command


@dataclass
class Machine:
    dockerfiles: Mapping[str, Dockerfile]
    files: Collection[str]  # project files before the script runs
    dirs: Collection[str]  # project directories before the script runs
    temps: Collection[str]  # temporary directories an assembled context lives in
    images: dict[str, Image] = field(default_factory=dict)
    containers: dict[str, Container] = field(default_factory=dict)
    # What ran in each long-lived builder container (fed by `docker exec`/`start`/`cp`), by name.
    steps: dict[str, list[Step]] = field(default_factory=dict)
    host_dirs: set[str] = field(default_factory=set)
    artifacts: list[Artifact] = field(default_factory=list)  # host paths from containers
    runs: list[RunStage] = field(default_factory=list)
    streams: dict[int, TarStream] = field(default_factory=dict)  # by pipeline id
    host_ops: list[HostOp] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # containers something was copied out of
    dead: list[Command] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.host_dirs |= set(self.dirs) | {"."}

    def rel(self, path: str, loc: Loc) -> str:
        """The project-relative form of a host path (a temporary directory's path as is)."""
        r = project_rel(path)
        if r is None and any(path == t or path.startswith(t + "/") for t in self.temps):
            return path  # an assembled context's temporary directory (see staging.py)
        if r is None:
            raise Unsupported(loc, f"{path} is outside the project")
        return r

    def add(self, art: Artifact) -> None:
        """A host path now holds what a container produced (replacing what it held)."""
        self.artifacts[:] = [a for a in self.artifacts if a.host != art.host]
        self.artifacts.append(art)

    def command(self, image: str) -> ImageCommand:
        known = self.images.get(image)
        return known.command if known is not None else ((), ())


def dist(host: str) -> str:
    """Where a stage built on the builder puts what the legacy flow left at host path `host`."""
    return posixpath.normpath(posixpath.join(DIST, host))


def q(s: str) -> str:
    return shlex.quote(s)
