"""The value inference hands to the planner: what the legacy flow does, as far as a migration
needs to know. Frozen; built once by `migrator.infer.infer`."""

from __future__ import annotations

from dataclasses import dataclass

from migrator.model import Artifact, BuildOp, Command, Loc, Problem, Word

DIST = "/migrator-dist"


@dataclass(frozen=True)
class Step:
    """One thing a build container did: ran a command, or received files by `docker cp`."""

    argv: tuple[str, ...]  # the command; for a copy: (project-relative source, destination)
    workdir: str | None = None  # `docker exec -w`
    copy: bool = False


@dataclass(frozen=True)
class RunStage:
    """A container whose commands built something; it becomes a stage `FROM <its image>`.

    From `docker run -v "$PWD":/src -w /src IMG make` (bind-mounted sources), or a named
    container that builds when it runs (its CMD), or one fed by `docker exec`.
    """

    key: str  # what its artifacts name as their builder
    base: str  # the image it ran, as the script names it
    loc: Loc
    name_hint: str  # the container's name, or "build"
    workdir: str | None  # `-w`
    env: tuple[tuple[str, Word | None], ...]  # `-e K=V` / `-e K` (from the environment)
    copies: tuple[tuple[str, str], ...]  # (project-relative source, mount point)
    mkdirs: tuple[str, ...]  # output mount points
    caches: tuple[str, ...]  # cache mount points
    steps: tuple[Step, ...]  # what ran in the container, in order
    ignored: tuple[str, ...]  # `-u`, cache mounts and the like: said in --explain
    user: str | None
    cache_dirs: tuple[str, ...] = ()  # project dirs that only served as its caches


@dataclass(frozen=True)
class TestRun:
    """Tests run in a builder container (`docker run --rm app:build make test`).

    They become a stage `FROM <the builder's stage> AS test` + `RUN <line>`, and the entry point
    builds it with `docker build --target test` where it ran them (`cmd`), so a failing test
    still fails the build.
    """

    builder: str  # the builder image as the script names it (a tag of one of Flow.builders)
    line: str  # the command as one shell line (its `-w` and `-e` applied)
    cmd: Command  # the `docker run` it replaces


@dataclass(frozen=True)
class Flow:
    """What the legacy script does, as far as the migration needs to know."""

    builders: tuple[BuildOp, ...]  # builds whose images only feed extractions
    stock: tuple[tuple[str, Loc], ...]  # toolchain images used but never built here
    runtime: BuildOp | None  # None: an extraction-only flow (the artifacts only land on the host)
    artifacts: tuple[Artifact, ...]
    dead: tuple[Command, ...]
    keep_builder_tags: tuple[BuildOp, ...]  # builder builds whose tag a remaining step uses
    warnings: tuple[Problem, ...] = ()
    runs: tuple[RunStage, ...] = ()  # containers that built something: stages of their own
    tests: tuple[TestRun, ...] = ()  # tests run in a builder: `--target` stages
    also: tuple[BuildOp, ...] = ()  # later builds of the runtime's Dockerfile (other tags)
    # Builder stages FROM an earlier builder's tag: (Dockerfile, the FROM text, the image).
    chained: tuple[tuple[str, str, str], ...] = ()
    # The artifacts as each of `also` found them (moved between builds: each reads its own).
    seen: tuple[tuple[BuildOp, tuple[Artifact, ...]], ...] = ()

    def artifacts_for(self, op: BuildOp) -> tuple[Artifact, ...]:
        return next((arts for b, arts in self.seen if b is op), self.artifacts)


@dataclass(frozen=True)
class NoPattern:
    """The script has no builder pattern to migrate (a normal, already-migrated, project)."""

    reason: str
