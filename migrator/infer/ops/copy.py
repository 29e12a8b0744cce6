"""`docker cp`: files out of a container onto the host (or a tar stream), or into a builder."""

from __future__ import annotations

import posixpath

from migrator.infer.commands import tar_into
from migrator.infer.flow import Step
from migrator.infer.machine import Machine, TarStream, dist, q
from migrator.infer.mounts import refuse_privileged
from migrator.model import Artifact, CpOp, Unsupported
from migrator.readers.words import host_path


def cp(m: Machine, op: CpOp) -> None:
    if op.container is None:
        _into(m, op)
        return
    if op.dest.startswith(_TOOL_DIRS):
        m.installs.append(op)  # a tool for the build machine (buildctl from moby/buildkit)
        return
    if op.container not in m.containers:
        raise Unsupported(op.cmd.loc, f"docker cp from container {op.container!r}, "
                                      "which this script did not create")
    if op.container in m.privileged:
        refuse_privileged(m.privileged[op.container])
    m.used.add(op.container)
    image = m.builder_key(op.container)
    if op.dest == "-":
        _stream(m, op, image)
    else:
        _out(m, op, image)


_TOOL_DIRS = ("/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin", "/usr/local/sbin", "/opt/bin")


def _into(m: Machine, op: CpOp) -> None:
    """`docker cp ./src b:/src`: files into a long-lived builder, a step of its own."""
    name, _, target = op.dest.partition(":")
    steps = m.steps.get(name)
    if steps is not None:
        copied = m.rel(host_path(op.src, op.cmd.cwd), op.cmd.loc)
        steps.append(Step((copied, target), copy=True))
        m.dead.append(op.cmd)


def _archived(m: Machine, name: str, path: str) -> tuple[tuple[str, str], ...]:
    """The members of an archive a step in the container wrote at `path` (`docker exec C tar
    -czf /root/out.tgz dist/*`), each with the container path it was made from."""
    for step in reversed(m.steps.get(name) or []):
        found = None if step.copy else tar_into(step.argv, path)
        if found is not None:
            directory, members = found
            return tuple((mem, posixpath.normpath(posixpath.join(directory, mem)))
                         for mem in members)
    return ()


def _stream(m: Machine, op: CpOp, image: str) -> None:
    """`docker cp C:/path - | tar -x -C dir`: a tar stream of path, named by its base."""
    if op.cmd.pipe is None or op.cmd.pipe[1] != 0:
        raise Unsupported(op.cmd.loc, "docker cp to standard output, not into tar -x")
    parent, member = posixpath.split(op.src.rstrip("/") or "/")
    m.streams[op.cmd.pipe[0]] = TarStream(image, f"tar -C {q(parent)} -cf - {q(member)}",
                                          parent, (member,), op.cmd)


def _out(m: Machine, op: CpOp, image: str) -> None:
    """`docker cp C:SRC DEST` with the directory rules of SEMANTICS.md."""
    dest = m.rel(op.dest, op.cmd.loc)
    contents = op.src.endswith("/.")
    src = op.src.rstrip("/")
    if contents:
        host = dest.rstrip("/")
        replay = (f"mkdir -p {q(dist(host))}", f"cp -a {q(op.src)} {q(dist(host) + '/')}")
    else:
        dest_clean = dest.rstrip("/")
        into = dest.endswith("/") or dest_clean in m.host_dirs
        host = posixpath.join(dest_clean, posixpath.basename(src)) if into else dest_clean
        host = posixpath.normpath(host)
        replay = (f"mkdir -p {q(posixpath.dirname(dist(host)))}",
                  f"cp -a {q(src)} {q(dist(host))}")
    direct = not contents and posixpath.basename(src) == posixpath.basename(host)
    m.add(Artifact(image, src, host, "cp", op.cmd.loc, replay, direct,
                   members=_archived(m, op.container or "", src)))
    m.dead.append(op.cmd)
