"""`docker create` / `docker run`: a container, and whatever its command leaves on the host.

A run's output reaches the host in one of these ways, each a handler below: its standard output
redirected to a file (`docker run IMG cat /app > app`), a tar stream piped to a host `tar -x`,
a bind mount of the sources it builds in, or an output directory mounted for it. A named run
with none of these is a builder container whose files a later `docker cp` takes out.
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import replace

from migrator.infer.commands import TarTail, effective_command, idles, shell_line, tar_tail
from migrator.infer.flow import Step
from migrator.infer.machine import Container, Machine, TarStream, dist, q
from migrator.infer.mounts import Mounts, classify_mounts, refuse_privileged, run_stage
from migrator.infer.tar import tar_members
from migrator.model import Artifact, CreateOp, Redirect, RunOp


def create(m: Machine, op: CreateOp) -> None:
    if op.name:
        m.containers[op.name] = Container(op.image, op.cmd)


def _stdout(op: RunOp) -> Redirect | None:
    # `> /dev/null` discards the output (a registration run, a probe): no file comes of it
    return next((r for r in op.cmd.redirects if r.op == ">" and r.fd in (None, 1)
                 and r.target is not None and r.target.value != "/dev/null"), None)


def run(m: Machine, op: RunOp) -> None:
    if op.name:
        m.containers[op.name] = Container(op.image, op.cmd)
    out = _stdout(op)
    tar = _piped_tar(m, op)
    if op.published and not op.detach and out is None and tar is None:
        # A foreground run that publishes ports serves (a README's usage example); it is no
        # build step, even with the project mounted in it.
        return
    mounts = classify_mounts(op, m.dirs, m.files, m.temps)
    if op.detach and op.name:
        m.detached.append(op.name)
    if out is not None or tar is not None or mounts.sources or mounts.outputs:
        refuse_privileged(op)
    elif op.privileged and op.name:
        m.privileged[op.name] = op
    if out is not None:
        _cat(m, op, out)
    elif tar is not None:
        _stream(m, op, tar)
    elif mounts.sources:
        _bind_build(m, op, mounts)
    elif mounts.outputs and _owner_change(m, op, mounts):
        pass
    elif mounts.outputs and (op.args or op.entrypoint or m.command(op.image) != ((), ())):
        _output_mount(m, op, mounts)
    elif not op.detach and op.args and not op.volumes and (op.remove or not op.name):
        m.probes.append(op)  # a command run for its exit status (tests) or for nothing
    elif op.name and not op.remove:
        # A named container that builds when it runs (its CMD, or the given command);
        # a detached one that only idles is a long-lived builder fed by `docker exec`.
        idle = op.detach and (not op.args or idles(op.args))
        m.steps[op.name] = [] if idle else [Step(effective_command(op, m))]


def _piped_tar(m: Machine, op: RunOp) -> tuple[str, tuple[str, ...]] | None:
    """The (directory, members) of the tar stream a run at the head of a pipe writes: its own
    `tar -c` arguments, or an image CMD that ends in `tar -cf - members`."""
    if not op.cmd.pipe or op.cmd.pipe[1] != 0:
        return None
    if op.args or op.entrypoint is not None:
        return tar_members(op.args)
    ep, cmd = m.command(op.image)
    tail = tar_tail((*ep, *cmd)) if ep or cmd else None
    return (tail.directory, tail.members) if tail is not None and tail.before is None else None


def _cat(m: Machine, op: RunOp, out: Redirect) -> None:
    """`docker run IMG cat /path > file`: the file holds the command's output (host umask)."""
    assert out.target is not None
    argv = effective_command(op, m)
    target = out.target.value
    host = m.rel(target if target.startswith("/") else posixpath.join(op.cmd.cwd, target),
                 op.cmd.loc)
    tail = tar_tail(argv)
    if tail is not None:
        _archive(m, op, host, tail)
        return
    src = argv[1] if len(argv) == 2 and posixpath.basename(argv[0]) == "cat" else ""
    m.add(Artifact(op.image, src, host, "cat", op.cmd.loc,
                   (f"mkdir -p {q(posixpath.dirname(dist(host)))}",
                    f"{shell_line(op, argv)} > {q(dist(host))}"),
                   direct=False, user=op.user))
    m.dead.append(op.cmd)


def _archive(m: Machine, op: RunOp, host: str, tail: TarTail) -> None:
    """`docker run IMG > app.tar.gz` whose command ends in `tar -czf - members`: an archive of
    builder paths. What ran before the tar is a build step of a stage of its own."""
    builder = op.image
    if tail.before is not None:
        stage = run_stage(op, Mounts((), (), ()), ("/bin/sh", "-c", tail.before))
        m.runs.append(stage)
        builder = stage.key
    members = tuple((mem, posixpath.normpath(posixpath.join(tail.directory, mem)))
                    for mem in tail.members)
    m.add(Artifact(builder, "", host, "cat", op.cmd.loc,
                   (f"mkdir -p {q(posixpath.dirname(dist(host)))}",
                    f"cd {q(tail.directory)} && {tail.tar} > {q(dist(host))}"),
                   direct=False, user=op.user, members=members))
    m.dead.append(op.cmd)


def _stream(m: Machine, op: RunOp, tar: tuple[str, tuple[str, ...]]) -> None:
    """`docker run IMG tar -c ... | tar -x`: the host `tar -x` handler takes the stream."""
    assert op.cmd.pipe is not None
    m.streams[op.cmd.pipe[0]] = TarStream(op.image, shlex.join(effective_command(op, m)),
                                          tar[0], tar[1], op.cmd)


def _bind_build(m: Machine, op: RunOp, mounts: Mounts) -> None:
    """A build in a container that sees the project through a bind mount: a stage of its own."""
    idle = op.detach and op.name is not None and (not op.args or idles(op.args))
    stage = run_stage(op, mounts, () if idle else effective_command(op, m))
    m.runs.append(stage)
    if idle and op.name:
        m.steps[op.name] = []  # `docker exec` steps follow
    for host, target in (*mounts.sources, *mounts.outputs):
        m.add(Artifact(stage.key, target, host, "mount", op.cmd.loc,
                       (f"mkdir -p {q(dist(host))}",
                        f"cp -a {q(target.rstrip('/') + '/.')} {q(dist(host) + '/')}"),
                       direct=True, user=op.user))
        if host not in m.dirs:
            m.host_dirs.add(host)
    if op.name:
        m.containers[op.name] = Container(stage.key, op.cmd)
    m.dead.append(op.cmd)


def _owner_change(m: Machine, op: RunOp, mounts: Mounts) -> bool:
    """`docker run -v "$PWD/out":/copy alpine chown -R 1000: /copy` after a container filled
    out/: a change of owner of files already there (an edge of their artifact; moot, as the
    final COPY stamps 0:0), not a new output."""
    argv = (op.entrypoint, *op.args) if op.entrypoint else op.args
    held = {a.host: a for a in m.artifacts}
    if not argv or posixpath.basename(argv[0]) not in ("chown", "chgrp") or not all(
            host in held for host, _ in mounts.outputs):
        return False
    for host, _ in mounts.outputs:
        m.add(replace(held[host], edges=(*held[host].edges, op.cmd.loc)))
    m.dead.append(op.cmd)
    return True


def _output_mount(m: Machine, op: RunOp, mounts: Mounts) -> None:
    """`docker run -v "$PWD/out":/out IMG make`: the mounted directory collects the outputs."""
    argv = effective_command(op, m)
    prep = [f"mkdir -p {q(target)}" for _, target in mounts.outputs]
    line = shell_line(op, argv)
    for host, target in mounts.outputs:
        copy_out = (f"mkdir -p {q(dist(host))} && "
                    f"cp -a {q(target.rstrip('/') + '/.')} {q(dist(host) + '/')}")
        # Written by the container's process, as whichever user it switched to (`su`,
        # `gosu`, a script): the owner is unknown, so the final COPY stamps 0:0 as the legacy
        # runtime COPY did.
        m.add(Artifact(op.image, target, host, "volume", op.cmd.loc,
                       (*prep, line, copy_out), direct=False, user=op.user or "?"))
        m.host_dirs.add(host)
    m.dead.append(op.cmd)
