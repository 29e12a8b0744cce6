"""Host commands on the paths the flow produced: `tar -x` of a stream, `mkdir`, `chmod`/`chown`,
`mv`. Each leaves the host tree's provenance up to date (the artifact records the step as an
edge, and its replay commands reproduce the change inside the stage)."""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Collection
from dataclasses import replace

from migrator.infer.machine import Machine, TarStream, dist, q
from migrator.infer.ops.edit import find
from migrator.infer.ops.fetch import fetch, vagrant
from migrator.infer.paths import covers
from migrator.infer.tar import tar_extract_dir, tar_file_and_members
from migrator.interpret import project_rel
from migrator.model import Artifact, Command, HostOp, Unsupported
from migrator.readers.words import host_path


def host(m: Machine, op: HostOp) -> None:
    pipe = op.cmd.pipe
    if op.tool == "tar" and pipe is not None and pipe[0] in m.streams:
        _untar(m, op, m.streams.pop(pipe[0]))
        return
    if op.tool == "tar" and _tarball(m, op):
        return
    if op.tool in ("curl", "wget"):
        fetch(m, op)
    elif op.tool == "vagrant":
        vagrant(m, op)
    if op.tool == "mkdir":
        _mkdir(m, op)
    m.host_ops.append(op)
    if op.tool in ("chmod", "chown") and m.artifacts:
        _mode_change(m, op)
    elif op.tool == "mv" and m.artifacts:
        _move(m, op)
    elif op.tool == "cp" and m.artifacts:
        _copy(m, op)
    elif op.tool == "find":
        find(m, op)


def _mkdir(m: Machine, op: HostOp) -> None:
    """`mkdir [-p] dir`: the directory exists (with `-p`, its parents too), so a later
    `docker cp C:/x dir` copies into it."""
    parents = any(a in ("-p", "--parents") or (a.startswith("-") and not a.startswith("--")
                                               and "p" in a) for a in op.args)
    for a in op.args:
        if a.startswith("-"):
            continue
        path = m.rel(posixpath.normpath(posixpath.join(op.cmd.cwd, a)), op.cmd.loc)
        m.host_dirs.add(path)
        while parents and "/" in path:
            path = path.rsplit("/", 1)[0]
            m.host_dirs.add(path)


def _tarball(m: Machine, op: HostOp) -> bool:
    """`tar -xf FILE` of a tar file a container wrote (`docker export -o FILE`)."""
    archive, _ = tar_file_and_members(op.args)
    if archive is None or tar_extract_dir(op, op.cmd.cwd) is None:
        return False
    path = m.rel(host_path(archive, op.cmd.cwd), op.cmd.loc)
    if path in m.saved:
        raise Unsupported(op.cmd.loc, f"files are taken from the layers `docker save` wrote at "
                                      f"{m.saved[path]}: a multi-stage build has no form for "
                                      "image layers")
    stream = m.tarballs.get(path)
    if stream is None:
        return False
    _untar(m, op, stream)
    return True


def _whole_tree(op: HostOp, stream: TarStream) -> TarStream:
    """A stream of a container's whole filesystem: the members the host `tar -x` selects."""
    members = tar_file_and_members(op.args)[1] or (".",)
    create = "tar -C / -cf - " + " ".join(q(x) for x in members)
    return replace(stream, create=create, members=members)


def _untar(m: Machine, op: HostOp, stream: TarStream) -> None:
    """`... | tar -x -C dir`: each member of the stream lands under dir."""
    xdir = tar_extract_dir(op, op.cmd.cwd)
    if xdir is None:
        return
    if not stream.members:
        stream = _whole_tree(op, stream)
    unpack(m, stream, m.rel(xdir, op.cmd.loc), op.cmd)
    m.dead.append(op.cmd)


def unpack(m: Machine, stream: TarStream, base: str, step: Command,
           skip: Collection[str] = ()) -> None:
    """Each member of the stream lands under host directory `base` (`skip`: host paths the
    flow reads from the project instead); `step` is the command that unpacks it."""
    for member_path in stream.members:
        member = member_path.lstrip("/")
        host_path = posixpath.normpath(posixpath.join(base, member))
        if host_path in skip:
            continue
        src = posixpath.normpath(posixpath.join(stream.directory, member_path))
        m.add(Artifact(stream.image, src, host_path, "tar", stream.source.loc,
                       (f"mkdir -p {q(dist(base))}",
                        f"{stream.create} | tar -x -f - -C {q(dist(base))}"),
                       direct=member not in (".", "") and
                       posixpath.basename(src) == posixpath.basename(host_path),
                       edges=(step.loc,)))
    m.dead.append(stream.source)
    m.host_dirs.add(base)


def _mode_change(m: Machine, op: HostOp) -> None:
    """A host `chmod` of an artifact is replayed in the stage; a `chown` is moot (the legacy
    runtime COPY stamped 0:0 anyway). Either way the host step is dead."""
    if op.tool == "chmod":
        flags = [a for a in op.args if a in ("-R", "--recursive")]
        rest = [a for a in op.args if a not in ("-R", "--recursive", "-v", "-f", "-c")]
        if len(rest) < 2:
            return
        mode, paths = rest[0], rest[1:]
    else:
        flags, paths, mode = [], [a for a in op.args if not a.startswith("-")][1:], ""
    touched = False
    for p in paths:
        path = project_rel(posixpath.normpath(posixpath.join(op.cmd.cwd, p)))
        if path is None:
            continue
        for i, a in enumerate(m.artifacts):
            if covers(path, a.host) or covers(a.host, path):
                step = (f"chmod {' '.join([*flags, mode])} {q(dist(path))}"
                        if op.tool == "chmod" else None)
                if step and step not in a.replay:
                    m.artifacts[i] = replace(a, replay=(*a.replay, step), direct=False,
                                             edges=(*a.edges, op.cmd.loc))
                touched = True
    if touched:
        m.dead.append(op.cmd)


def _move(m: Machine, op: HostOp) -> None:
    """`mv artifact new-name`: the artifact is renamed on the host (and in its replay)."""
    rest = [a for a in op.args if not a.startswith("-")]
    if len(rest) != 2:
        return
    src = project_rel(posixpath.normpath(posixpath.join(op.cmd.cwd, rest[0])))
    dst = project_rel(posixpath.normpath(posixpath.join(op.cmd.cwd, rest[1])))
    if src is None or dst is None:
        return
    for i, a in enumerate(m.artifacts):
        if a.host == src:
            replay = (f"mkdir -p {q(posixpath.dirname(dist(dst)))}",
                      f"mv {q(dist(src))} {q(dist(dst))}")
            m.artifacts[i] = replace(a, host=dst, direct=False, edges=(*a.edges, op.cmd.loc),
                                     replay=(*a.replay, *replay))
            m.dead.append(op.cmd)


def _copy(m: Machine, op: HostOp) -> None:
    """`cp [-p|-a|-r] artifact other-place`: the artifact is also there (a second context's
    copy), replayed by the same `cp`, so the step can go with the extraction."""
    flags = [a for a in op.args if a.startswith("-")]
    rest = [a for a in op.args if not a.startswith("-")]
    if len(rest) != 2 or any(f not in ("-p", "-a", "-r", "-R", "-f", "-rp", "-pr") for f in flags):
        return
    src = project_rel(posixpath.normpath(posixpath.join(op.cmd.cwd, rest[0])))
    dst = project_rel(posixpath.normpath(posixpath.join(op.cmd.cwd, rest[1])))
    if src is None or dst is None:
        return
    found = [(a, _inside(a, src)) for a in m.artifacts]
    found = [(a, sub) for a, sub in found if sub is not None]
    if not found:
        return
    if rest[1].endswith("/") or dst in m.host_dirs:
        dst = posixpath.join(dst, posixpath.basename(src))
    for a, sub in found:
        replay = (f"mkdir -p {q(posixpath.dirname(dist(dst)))}",
                  shlex.join(["cp", *flags, dist(src), dist(dst)]))
        m.add(replace(a, src=posixpath.join(a.src, sub) if sub else a.src, host=dst,
                      direct=False, edges=(*a.edges, op.cmd.loc), replay=(*a.replay, *replay)))
    m.dead.append(op.cmd)


def _inside(a: Artifact, path: str) -> str | None:
    """`path` relative to artifact `a` ("" for the artifact itself), None when outside it."""
    if path == a.host:
        return ""
    top = a.host.rstrip("/") + "/"
    return path[len(top):] if path.startswith(top) and a.src else None
