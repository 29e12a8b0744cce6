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
from migrator.model import (
    Artifact,
    BuildOp,
    Command,
    CpOp,
    Dockerfile,
    HostOp,
    ImageOp,
    Loc,
    Problem,
    RunOp,
    Unsupported,
)

ImageCommand = tuple[tuple[str, ...], tuple[str, ...]]  # (ENTRYPOINT, CMD)


@dataclass
class Image:
    """An image the script tagged: the build that made it and the command it runs."""

    build: BuildOp
    command: ImageCommand = ((), ())


def image_ref(ref: str) -> str:
    """`app` and `app:latest` name the same image (a digest or a tag is kept as given)."""
    if "@" in ref or ":" in ref.rsplit("/", 1)[-1] or "$" in ref:
        return ref
    return ref + ":latest"


class Images(dict[str, Image]):
    """The engine's tags: `app` and `app:latest` are one key."""

    def __getitem__(self, key: str) -> Image:
        return super().__getitem__(image_ref(key))

    def __setitem__(self, key: str, value: Image) -> None:
        super().__setitem__(image_ref(key), value)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(image_ref(key))

    def get(self, key: str, default: Image | None = None) -> Image | None:  # type: ignore[override]
        return super().get(image_ref(key), default)


@dataclass
class Container:
    image: str  # the image it runs as the script names it, or a run stage's key
    cmd: Command  # the step that created it


@dataclass(frozen=True)
class TarStream:
    """A tar stream written by a container (into a pipe, or a file on the host), waiting for the
    host `tar -x` that unpacks it."""

    image: str
    create: str  # the command that writes the same stream inside the builder
    directory: str  # where members are read from in the container
    members: tuple[str, ...]  # empty: the whole tree (`docker export`), the `tar -x` selects
    source: Command


@dataclass
class Machine:
    dockerfiles: Mapping[str, Dockerfile]
    files: Collection[str]  # project files before the script runs
    dirs: Collection[str]  # project directories before the script runs
    temps: Collection[str]  # temporary directories an assembled context lives in
    images: Images = field(default_factory=Images)
    containers: dict[str, Container] = field(default_factory=dict)
    # What ran in each long-lived builder container (fed by `docker exec`/`start`/`cp`), by name.
    steps: dict[str, list[Step]] = field(default_factory=dict)
    host_dirs: set[str] = field(default_factory=set)
    artifacts: list[Artifact] = field(default_factory=list)  # host paths from containers
    runs: list[RunStage] = field(default_factory=list)
    streams: dict[int, TarStream] = field(default_factory=dict)  # by pipeline id
    tarballs: dict[str, TarStream] = field(default_factory=dict)  # host file -> what it holds
    detached: list[str] = field(default_factory=list)  # containers left running (-d)
    privileged: dict[str, RunOp] = field(default_factory=dict)  # --privileged, by name
    probes: list[RunOp] = field(default_factory=list)  # runs that leave nothing: tests?
    installs: list[CpOp] = field(default_factory=list)  # `docker cp C:/usr/bin/x /usr/bin/`
    committed: list[ImageOp] = field(default_factory=list)  # `docker commit` of a container
    saved: dict[str, Loc] = field(default_factory=dict)  # `docker save -o FILE`: FILE -> step
    host_ops: list[HostOp] = field(default_factory=list)
    # The host's artifacts as each image build found them (an output moved from context to
    # context with `mv` between builds is read by each where it was then).
    seen: list[tuple[BuildOp, tuple[Artifact, ...]]] = field(default_factory=list)
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
            raise Unsupported(loc, f"{path} is outside the project{outside_why(path)}")
        return r

    def add(self, art: Artifact) -> None:
        """A host path now holds what a container produced (replacing what it held)."""
        self.artifacts[:] = [a for a in self.artifacts if a.host != art.host]
        self.artifacts.append(art)

    def builder_key(self, name: str) -> str:
        """What files taken out of container `name` come from: its image, or (when commands ran
        in the container after it started) the stage that replays them."""
        container = self.containers[name]
        image = container.image
        if self.steps.get(name) and not image.startswith("run:"):
            key = f"container:{name}"
            if all(r.key != key for r in self.runs):
                self.runs.append(RunStage(key, image, container.cmd.loc, name, None, (), (), (),
                                          (), tuple(self.steps[name]), (), None))
            return key
        return image

    def artifacts_at(self, op: BuildOp) -> tuple[Artifact, ...]:
        """The artifacts as build `op` found them on the host."""
        return next((arts for b, arts in self.seen if b is op), tuple(self.artifacts))

    def command(self, image: str) -> ImageCommand:
        known = self.images.get(image)
        return known.command if known is not None else ((), ())


_CI = ("/home/travis", "/builds/", "/github/workspace", "/home/runner/work", "/home/circleci",
       "${TRAVIS_BUILD_DIR}", "${CI_PROJECT_DIR}", "${GITHUB_WORKSPACE}", "${WORKSPACE}",
       "${CIRCLE_WORKING_DIRECTORY}", "${BITBUCKET_CLONE_DIR}", "${JENKINS_HOME}")


def outside_why(path: str) -> str:
    """Why a host path outside the project cannot be part of a portable build (or "")."""
    if path == "/vagrant" or path.startswith("/vagrant/"):
        return " (it exists only in the Vagrant VM, as its synced folder)"
    if path.startswith(_CI):
        return " (it exists only on the CI machine)"
    return ""


def dist(host: str) -> str:
    """Where a stage built on the builder puts what the legacy flow left at host path `host`."""
    return posixpath.normpath(posixpath.join(DIST, host))


def q(s: str) -> str:
    return shlex.quote(s)
