"""From the machine's final state to the `Flow`: the runtime build, the builders and stock
images behind the artifacts, and every step that is dead once the build is multi-stage."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import replace

from migrator.infer.chain import chain
from migrator.infer.commands import effective_command, shell_line
from migrator.infer.flow import Flow, NoPattern, TestRun
from migrator.infer.machine import Machine, image_ref
from migrator.infer.ops.image import refuse_commit
from migrator.infer.paths import covers, in_project, only_artifacts, reads_artifact
from migrator.infer.product import product_flow
from migrator.infer.runtime import runtime_builds, variants
from migrator.interpret import FOREIGN_BUILDERS
from migrator.model import (
    BuildOp,
    Command,
    CreateOp,
    DockerOp,
    HostOp,
    Loc,
    RemoveOp,
    RunOp,
    Unsupported,
    warning,
)
from migrator.sources import copy_sources


def finish(m: Machine, ops: Sequence[DockerOp], first: int,
           staging: Sequence[Command]) -> Flow | NoPattern:
    """`first`: the index of the first operation after the first extraction."""
    if not m.artifacts:
        if m.streams:
            source = next(iter(m.streams.values())).source
            raise Unsupported(source.loc, "tar stream from a container whose extraction "
                                          "could not be read")
        if m.installs:
            i = m.installs[0]
            return NoPattern(f"{i.cmd.loc}: docker cp to {i.dest} installs a tool on the build "
                             "machine; no build output is taken out of a container")
        return NoPattern("no step copies files out of a container")
    if m.committed:
        refuse_commit(m.committed[0])
    _fill_steps(m)
    run_keys = {r.key for r in m.runs}
    builder_images = {a.builder for a in m.artifacts if a.builder not in run_keys} | {
        r.base for r in m.runs}
    runtime, also = runtime_builds(ops[min(first, len(ops) - 1):], m.artifacts_at,
                                   m.dockerfiles, builder_images, m.files)
    if runtime is not None:
        _warn_variants(m, runtime)
    else:
        _refuse_foreign_build(ops[first:])
        if (product := product_flow(m, staging)) is not None:
            return _kept_tags(product, ops)
    if runtime is None and any(isinstance(op, BuildOp) and not any(
            t.value in builder_images for t in op.tags) for op in ops[first:]):
        return NoPattern("no image build uses the files taken out of containers")
    # No image build after the extraction at all: an extraction-only flow (runtime None).
    builders, stock = _builders(m, builder_images)
    builders, chained = chain(m, builders)
    builder_images |= {image for _, _, image in chained}
    _dead_containers(m, ops, builder_images)
    _dead_host_steps(m, runtime)
    m.dead.extend(staging)
    m.dead.extend(b.cmd for b in builders)
    tests = _tests(m, builders)
    replaced = [*m.dead, *(t.cmd for t in tests)]
    keep = tuple(b for b in builders if _tag_used_later(b, ops, replaced))
    dead = m.dead
    if keep:
        dead = [c for c in dead if c not in {b.cmd for b in keep}]
    return Flow(tuple(builders), tuple(stock), runtime,
                m.artifacts_at(runtime) if runtime else tuple(m.artifacts),
                tuple(dict.fromkeys(dead)), keep, tuple(m.warnings), tuple(m.runs), tests, also,
                tuple(chained), tuple((op, m.artifacts_at(op)) for op in also))


def _kept_tags(flow: Flow | NoPattern, ops: Sequence[DockerOp]) -> Flow | NoPattern:
    """A folded builder whose tag a remaining step still uses keeps its build."""
    if isinstance(flow, NoPattern):
        return flow
    keep = tuple(b for b in flow.builders if _tag_used_later(b, ops, list(flow.dead)))
    return replace(flow, keep_builder_tags=keep,
                   dead=tuple(c for c in flow.dead if c not in {b.cmd for b in keep}))


def _tests(m: Machine, builders: list[BuildOp]) -> tuple[TestRun, ...]:
    """Commands run in a builder image for their exit status: tests, a stage of their own."""
    tags = {image_ref(t.value) for b in builders for t in b.tags}
    return tuple(TestRun(op.image, shell_line(op, effective_command(op, m)), op.cmd)
                 for op in m.probes if image_ref(op.image) in tags)


def _refuse_foreign_build(ops: Sequence[DockerOp]) -> None:
    """No `docker build` reads the extracted files, but another image builder runs after the
    extraction (`buildctl build --local context=.`): the runtime image is built outside docker
    build, so neither a multi-stage Dockerfile nor an export flow would be faithful."""
    foreign = next((op for op in ops if isinstance(op, HostOp)
                    and op.tool in FOREIGN_BUILDERS), None)
    if foreign is not None:
        raise Unsupported(foreign.cmd.loc, f"the image after the extraction is built by "
                                           f"`{foreign.tool}`, not `docker build`: its build "
                                           "cannot be rewritten to take the files from a stage")


def _warn_variants(m: Machine, runtime: BuildOp) -> None:
    others = variants(runtime, m.files)
    if others:
        assert runtime.dockerfile_word is not None
        m.warnings.append(warning(runtime.cmd.loc, f"-f {runtime.dockerfile_word.raw} chose "
                                  f"{runtime.dockerfile}, which was migrated; the variants for "
                                  f"other values were not: {', '.join(others)} (migrate each "
                                  "with --set)"))


def _fill_steps(m: Machine) -> None:
    """Long-lived containers: their `docker exec` steps, in order."""
    for i, r in enumerate(m.runs):
        if r.name_hint in m.steps and (r.key.startswith("container:") or not r.steps):
            m.runs[i] = replace(r, steps=tuple(m.steps[r.name_hint]))


def _builders(m: Machine, images: set[str]) -> tuple[list[BuildOp], list[tuple[str, Loc]]]:
    """The builds behind the builder images, and the stock images (never built here)."""
    builders: list[BuildOp] = []
    stock: list[tuple[str, Loc]] = []
    for image in sorted(images):
        known = m.images.get(image)
        if known is None:
            loc = next((a.loc for a in m.artifacts if a.builder == image),
                       next((r.loc for r in m.runs if r.base == image), None))
            assert loc is not None
            if not any(r.base == image for r in m.runs) or any(a.builder == image
                                                                   for a in m.artifacts):
                stock.append((image, loc))
        elif known.build not in builders:
            builders.append(known.build)
    return builders, stock


def _dead_containers(m: Machine, ops: Sequence[DockerOp], builder_images: set[str]) -> None:
    """Containers and images that existed only to carry artifacts out."""
    for op in ops:
        if isinstance(op, CreateOp | RunOp) and op.name in m.used:
            m.dead.append(op.cmd)
        elif isinstance(op, RemoveOp):
            names = set(op.names)
            if (op.what == "container" and names and names <= m.used | {
                a for a in names if a in m.containers and m.containers[a].cmd in m.dead
            }) or (op.what == "image" and names and names <= builder_images):
                m.dead.append(op.cmd)


def _dead_host_steps(m: Machine, runtime: BuildOp | None) -> None:
    """Host steps whose only use was carrying build outputs (or a build's cache) out."""
    hosts = {a.host for a in m.artifacts
             if not (a.how == "mount" and in_project(a.host, m.files))}
    hosts |= {c for r in m.runs for c in r.cache_dirs} | set(m.temps)
    # Outputs a build wrote into a bind-mounted source tree, as the final build reads them.
    trees = [a for a in m.artifacts if a.how == "mount" and in_project(a.host, m.files)]
    df = m.dockerfiles.get(runtime.dockerfile) if runtime else None
    for _stage, _ins, sources in (copy_sources(df, runtime.context, runtime.staged)
                                  if runtime and df and trees else ()):
        hosts |= {s.rstrip("/") for s in sources if any(reads_artifact(s, t, m.files)
                                                         for t in trees)}
    # Directories the script made that hold no artifact (an empty `mkdir extract/lib64` the
    # final build copies) stay live: a `rm -rf extract` around them still has work to do.
    made = {d for d in m.host_dirs - set(m.dirs) if not any(covers(d, h) or covers(h, d)
                                                           for h in hosts)}
    live = [*m.files, *made]
    for hop in m.host_ops:
        if hop.cmd in m.dead or hop.tool not in ("rm", "mkdir", "rmdir", "chmod", "chown"):
            continue
        paths = [p for p in hop.args if not p.startswith("-")]
        if paths and all(only_artifacts(m.rel(posixpath.normpath(posixpath.join(hop.cmd.cwd, p)),
                                              hop.cmd.loc), hosts, live) for p in paths):
            m.dead.append(hop.cmd)


def _tag_used_later(build: BuildOp, ops: Sequence[DockerOp], dead: list[Command]) -> bool:
    tags = {t.value for t in build.tags}
    for op in ops:
        if op.cmd in dead or op is build:
            continue
        if any(w.value in tags or any(w.value.startswith(t + " ") for t in tags)
               for w in op.cmd.argv[1:]):
            return True
    return False
