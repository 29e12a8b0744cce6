"""Infer the artifact flow of a legacy builder-pattern script.

Input: the operations the script runs, in order, and the project's files. Output: a `Flow` that
says which builds make builder images, what each extraction took out of which container and
where it landed on the host (with the commands that reproduce it inside a stage), which build
makes the final image, and which steps become dead once the build is multi-stage.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from migrator.interpret import project_rel
from migrator.model import (
    Artifact,
    BuildOp,
    Command,
    CpOp,
    CreateOp,
    Dockerfile,
    DockerOp,
    ExecOp,
    HostOp,
    Loc,
    Problem,
    RemoveOp,
    RunOp,
    Unsupported,
    Word,
)
from migrator.readers.words import host_path
from migrator.sources import copy_sources

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
class Mounts:
    sources: tuple[tuple[str, str], ...]  # project-relative dir with files -> mount point
    outputs: tuple[tuple[str, str], ...]  # project-relative dir the build fills -> mount point
    caches: tuple[tuple[str, str], ...]  # host path or volume name -> mount point


_CACHE_TARGETS = ("/root/.cache", "/go/pkg/mod", "/root/.m2", "/root/.gradle", "/root/.npm",
                  "/usr/local/share/.cache", "/root/.cargo/registry", "/var/cache")
_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def _classify_mounts(op: RunOp, dirs: Collection[str], files: Collection[str]) -> Mounts:
    if op.links or (op.network or "").startswith("container:") or (
            op.network not in (None, "", "host", "none", "bridge", "default")):
        raise Unsupported(op.cmd.loc, "the build talks to containers started beside it "
                                      f"(--link/--network {op.network or ''}): not translatable "
                                      "to a Dockerfile stage")
    sources: list[tuple[str, str]] = []
    outputs: list[tuple[str, str]] = []
    caches: list[tuple[str, str]] = []
    for host, target, options in op.volumes:
        if host in _SOCKETS or target in _SOCKETS:
            raise Unsupported(op.cmd.loc, "the build needs the Docker socket inside the "
                                          "container: not translatable to a Dockerfile stage")
        cache_like = target.startswith(_CACHE_TARGETS) or "cache" in host.lower()
        if not host.startswith(("/", "$")) and "/" not in host:
            caches.append((host, target))  # a named volume
            continue
        rel = project_rel(host)
        if rel is None:
            raise Unsupported(op.cmd.loc, f"the build depends on {host}, a host path outside "
                                          "the project")
        if cache_like:
            caches.append((rel, target))
        elif rel == "." or (rel in dirs and any(f.startswith(rel + "/") for f in files)):
            sources.append((rel, target))
        elif "ro" not in options.split(","):
            outputs.append((rel, target))
    return Mounts(tuple(sources), tuple(outputs), tuple(caches))


def _idles(args: Sequence[str]) -> bool:
    """`sleep infinity`, `tail -f /dev/null`, a bare shell: a container kept up for `exec`."""
    name = posixpath.basename(args[0])
    return name in ("sleep", "cat", "sh", "bash") or (name == "tail" and "-f" in args)


def _run_stage(op: RunOp, mounts: Mounts, argv: tuple[str, ...]) -> RunStage:
    if any(not w.known for w in op.arg_words):
        raise Unsupported(op.cmd.loc, "the container's command depends on the environment "
                                      "(unknown variables in its arguments): not supported yet")
    ignored = []
    if op.user:
        ignored.append(f"-u {op.user} (the stage runs as the image's user; the legacy image "
                       "got 0:0 from its COPY anyway)")
    ignored.extend(f"cache mount {h}:{t}" for h, t in mounts.caches)
    return RunStage(f"run:{op.cmd.loc}", op.image, op.cmd.loc, op.name or "build", op.workdir,
                    op.env_words, mounts.sources, tuple(t for _, t in mounts.outputs),
                    tuple(t for _, t in mounts.caches), (Step(argv),) if argv else (),
                    tuple(ignored), None,
                    tuple(h for h, _ in mounts.caches if "/" in h or h.startswith(".")))


@dataclass(frozen=True)
class Flow:
    """What the legacy script does, as far as the migration needs to know."""

    builders: tuple[BuildOp, ...]  # builds whose images only feed extractions
    stock: tuple[tuple[str, Loc], ...]  # toolchain images used but never built here
    runtime: BuildOp
    artifacts: tuple[Artifact, ...]
    dead: tuple[Command, ...]
    keep_builder_tags: tuple[BuildOp, ...]  # builder builds whose tag a remaining step uses
    warnings: tuple[Problem, ...] = ()
    runs: tuple[RunStage, ...] = ()  # containers that built something: stages of their own


@dataclass(frozen=True)
class NoPattern:
    """The script has no builder pattern to migrate (a normal, already-migrated, project)."""

    reason: str


def _dist(host: str) -> str:
    return posixpath.normpath(posixpath.join(DIST, host))


def _q(s: str) -> str:
    return shlex.quote(s)


Commands = Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]


def _effective_command(op: RunOp, commands: Commands) -> tuple[str, ...]:
    """What the container runs: ENTRYPOINT + (arguments or CMD), as `docker run` combines them."""
    if op.entrypoint is not None:
        return (op.entrypoint, *op.args) if op.entrypoint else op.args
    ep, cmd = commands.get(op.image, ((), ()))
    argv = (*ep, *(op.args or cmd))
    if not argv:
        raise Unsupported(op.cmd.loc, f"`docker run {op.image}` runs the image's own command, "
                                      "which this project does not define (a stock image's CMD)")
    return argv


def _shell_line(op: RunOp, argv: Sequence[str]) -> str:
    line = shlex.join(argv)
    if op.env:
        line = "env " + " ".join(_q(f"{k}={v}") for k, v in op.env) + " " + line
    if op.workdir:
        line = f"cd {_q(op.workdir)} && {line}"
    return line


def _tar_members(args: Sequence[str]) -> tuple[str, tuple[str, ...]] | None:
    """`tar -c [-C dir] [-f -] members...` run in a container: (directory, members)."""
    if not args or posixpath.basename(args[0]) != "tar":
        return None
    directory = "/"
    members: list[str] = []
    creating = False
    i = 1
    while i < len(args):
        a = args[i]
        if a in ("-C", "--directory"):
            directory = posixpath.join(directory, args[i + 1]) if i + 1 < len(args) else directory
            i += 2
            continue
        if a.startswith("--directory="):
            directory = posixpath.join(directory, a.split("=", 1)[1])
        elif a in ("-f", "--file"):
            i += 2
            continue
        elif a.startswith("-") or (i == 1 and not a.startswith("/") and "c" in a and
                                   set(a) <= set("cvzjJpf")):
            letters = a.lstrip("-")
            creating = creating or "c" in letters
            if "f" in letters and not a.startswith("--"):
                i += 2 if letters.endswith("f") else 1
                continue
        else:
            members.append(a)
        i += 1
    if not creating or not members:
        return None
    return directory, tuple(members)


def _tar_extract_dir(op: HostOp, cwd: str) -> str | None:
    args = op.args
    extracting = any(("x" in a.lstrip("-") and not a.startswith("--")) or a == "--extract"
                     for a in args if a.startswith("-") or args.index(a) == 0)
    if not extracting:
        return None
    directory = cwd
    for i, a in enumerate(args):
        if a in ("-C", "--directory") and i + 1 < len(args):
            directory = posixpath.join(directory, args[i + 1])
        elif a.startswith("--directory="):
            directory = posixpath.join(directory, a.split("=", 1)[1])
    return posixpath.normpath(directory)


def infer(
    ops: Sequence[DockerOp],
    dockerfiles: Mapping[str, Dockerfile],
    files: Collection[str],
    dirs: Collection[str],
    staging: Sequence[Command] = (),
    temps: Collection[str] = (),
) -> Flow | NoPattern:
    """`files`/`dirs`: project-relative paths that exist before the script runs."""
    warnings: list[Problem] = []
    containers: dict[str, tuple[str, Command]] = {}
    host_dirs: set[str] = set(dirs) | {"."}
    artifacts: list[Artifact] = []
    dead: list[Command] = []
    used_containers: set[str] = set()
    builds_by_tag: dict[str, BuildOp] = {}
    commands: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    runs: list[RunStage] = []
    steps: dict[str, list[Step]] = {}  # container -> what ran in it
    # Tar streams piped into a host `tar -x`, by pipeline: (image, the command that writes the
    # stream inside the builder, where members are read from, the members, the step).
    pending_tar: dict[int, tuple[str, str, str, tuple[str, ...], Command]] = {}
    host_ops: list[HostOp] = []

    def rel(path: str, loc: Loc) -> str:
        r = project_rel(path)
        if r is None and any(path == t or path.startswith(t + "/") for t in temps):
            return path  # an assembled context's temporary directory (see staging.py)
        if r is None:
            raise Unsupported(loc, f"{path} is outside the project")
        return r

    def add(art: Artifact) -> None:
        artifacts[:] = [a for a in artifacts if a.host != art.host]
        artifacts.append(art)

    first_extraction = len(ops)
    for index, op in enumerate(ops):
        if artifacts and first_extraction == len(ops):
            first_extraction = index
        if isinstance(op, BuildOp):
            for t in op.tags:
                builds_by_tag[t.value] = op
            df = dockerfiles.get(op.dockerfile)
            if df is not None:
                commands.update({t.value: _image_command(df, op.target) for t in op.tags})
        elif isinstance(op, CreateOp):
            if op.name:
                containers[op.name] = (op.image, op.cmd)
        elif isinstance(op, RunOp):
            if op.name:
                containers[op.name] = (op.image, op.cmd)
            out = next((r for r in op.cmd.redirects if r.op == ">" and r.fd in (None, 1)
                        and r.target is not None), None)
            tar = _tar_members(op.args) if op.cmd.pipe and op.cmd.pipe[1] == 0 else None
            mounts = _classify_mounts(op, dirs, files)
            if out is not None and out.target is not None:
                argv = _effective_command(op, commands)
                host = rel(out.target.value if out.target.value.startswith("/")
                           else posixpath.join(op.cmd.cwd, out.target.value), op.cmd.loc)
                src = argv[1] if len(argv) == 2 and posixpath.basename(argv[0]) == "cat" else ""
                add(Artifact(op.image, src, host, "cat", op.cmd.loc,
                             (f"mkdir -p {_q(posixpath.dirname(_dist(host)))}",
                              f"{_shell_line(op, argv)} > {_q(_dist(host))}"),
                             direct=False, user=op.user))
                dead.append(op.cmd)
            elif tar is not None and op.cmd.pipe is not None:
                pending_tar[op.cmd.pipe[0]] = (op.image, shlex.join(_effective_command(
                    op, commands)), tar[0], tar[1], op.cmd)
            elif mounts.sources:
                # A build in a running container that sees the project through a bind mount:
                # it becomes a stage of its own.
                idle = op.detach and op.name is not None and (not op.args or _idles(op.args))
                stage = _run_stage(op, mounts, () if idle else _effective_command(op, commands))
                runs.append(stage)
                if idle and op.name:
                    steps[op.name] = []  # `docker exec` steps follow
                for host, target in (*mounts.sources, *mounts.outputs):
                    add(Artifact(stage.key, target, host, "mount", op.cmd.loc,
                                 (f"mkdir -p {_q(_dist(host))}",
                                  f"cp -a {_q(target.rstrip('/') + '/.')} {_q(_dist(host) + '/')}"),
                                 direct=True, user=op.user))
                    if host not in dirs:
                        host_dirs.add(host)
                if op.name:
                    containers[op.name] = (stage.key, op.cmd)
                dead.append(op.cmd)
            elif mounts.outputs and op.args:
                argv = _effective_command(op, commands)
                prep = [f"mkdir -p {_q(target)}" for _, target in mounts.outputs]
                line = _shell_line(op, argv)
                for host, target in mounts.outputs:
                    copy_out = (f"mkdir -p {_q(_dist(host))} && "
                                f"cp -a {_q(target.rstrip('/') + '/.')} {_q(_dist(host) + '/')}")
                    add(Artifact(op.image, target, host, "volume", op.cmd.loc,
                                 (*prep, line, copy_out), direct=False, user=op.user))
                    host_dirs.add(host)
                dead.append(op.cmd)
            elif op.name and not op.remove:
                # A named container that builds when it runs (its CMD, or the given command);
                # a detached one that only idles is a long-lived builder fed by `docker exec`.
                idle = op.detach and (not op.args or _idles(op.args))
                steps[op.name] = [] if idle else [Step(_effective_command(op, commands))]
        elif isinstance(op, ExecOp):
            if op.container in steps:
                argv = op.args
                if op.start:
                    image = containers[op.container][0]
                    ep, cmd = commands.get(image, ((), ()))
                    argv = (*ep, *cmd)
                if argv and op.env:
                    argv = ("env", *(f"{k}={v}" for k, v in op.env), *argv)
                if argv:
                    steps[op.container].append(Step(argv, op.workdir))
                dead.append(op.cmd)
        elif isinstance(op, CpOp):
            if op.container is None:
                # `docker cp ./src b:/src`: files into a long-lived builder, a step of its own.
                name, _, target = op.dest.partition(":")
                if name in steps:
                    copied = rel(host_path(op.src, op.cmd.cwd), op.cmd.loc)
                    steps[name].append(Step((copied, target), copy=True))
                    dead.append(op.cmd)
                continue
            if op.container not in containers:
                raise Unsupported(op.cmd.loc, f"docker cp from container {op.container!r}, "
                                              "which this script did not create")
            image, _ = containers[op.container]
            used_containers.add(op.container)
            if steps.get(op.container) and not image.startswith("run:"):
                key = f"container:{op.container}"
                if all(r.key != key for r in runs):
                    runs.append(RunStage(key, image, containers[op.container][1].loc,
                                         op.container, None, (), (), (), (),
                                         tuple(steps[op.container]), (), None))
                image = key
            if op.dest == "-":
                # `docker cp C:/path - | tar -x -C dir`: a tar stream of path, named by its base.
                if op.cmd.pipe is None or op.cmd.pipe[1] != 0:
                    raise Unsupported(op.cmd.loc, "docker cp to standard output, not into tar -x")
                parent, member = posixpath.split(op.src.rstrip("/") or "/")
                pending_tar[op.cmd.pipe[0]] = (image, f"tar -C {_q(parent)} -cf - {_q(member)}",
                                               parent, (member,), op.cmd)
                continue
            dest = rel(op.dest, op.cmd.loc)
            contents = op.src.endswith("/.")
            src = op.src.rstrip("/")
            if contents:
                host = dest.rstrip("/")
                replay = (f"mkdir -p {_q(_dist(host))}",
                          f"cp -a {_q(op.src)} {_q(_dist(host) + '/')}")
            else:
                dest_clean = dest.rstrip("/")
                into = dest.endswith("/") or dest_clean in host_dirs
                host = posixpath.join(dest_clean, posixpath.basename(src)) if into else dest_clean
                host = posixpath.normpath(host)
                replay = (f"mkdir -p {_q(posixpath.dirname(_dist(host)))}",
                          f"cp -a {_q(src)} {_q(_dist(host))}")
            direct = not contents and posixpath.basename(src) == posixpath.basename(host)
            add(Artifact(image, src, host, "cp", op.cmd.loc, replay, direct))
            dead.append(op.cmd)
        elif isinstance(op, HostOp):
            pipe = op.cmd.pipe
            if op.tool == "tar" and pipe is not None and pipe[0] in pending_tar:
                image, create, directory, members, source = pending_tar.pop(pipe[0])
                xdir = _tar_extract_dir(op, op.cmd.cwd)
                if xdir is None:
                    continue
                base = rel(xdir, op.cmd.loc)
                for m in members:
                    member = m.lstrip("/")
                    host = posixpath.normpath(posixpath.join(base, member))
                    src = posixpath.normpath(posixpath.join(directory, m))
                    add(Artifact(image, src, host, "tar", source.loc,
                                 (f"mkdir -p {_q(_dist(base))}",
                                  f"{create} | tar -x -f - -C {_q(_dist(base))}"),
                                 direct=member not in (".", "") and
                                 posixpath.basename(src) == posixpath.basename(host),
                                 edges=(op.cmd.loc,)))
                dead.extend([source, op.cmd])
                host_dirs.add(base)
                continue
            if op.tool == "mkdir":
                for a in op.args:
                    if not a.startswith("-"):
                        host_dirs.add(rel(posixpath.normpath(posixpath.join(op.cmd.cwd, a)),
                                          op.cmd.loc))
            host_ops.append(op)
            if op.tool in ("chmod", "chown") and artifacts:
                _apply_mode_change(op, artifacts, dead)
            elif op.tool == "mv" and artifacts:
                _apply_move(op, artifacts, dead)
        elif isinstance(op, RemoveOp):
            pass

    if not artifacts:
        if pending_tar:
            source = next(iter(pending_tar.values()))[4]
            raise Unsupported(source.loc, "tar stream from a container whose extraction "
                                          "could not be read")
        return NoPattern("no step copies files out of a container")

    if first_extraction == len(ops):
        first_extraction = len(ops) - 1
    # Long-lived containers: their `docker exec` steps, in order.
    for i, r in enumerate(runs):
        if r.name_hint in steps and (r.key.startswith("container:") or not r.steps):
            runs[i] = replace(r, steps=tuple(steps[r.name_hint]))
    run_keys = {r.key for r in runs}
    builder_images = {a.builder for a in artifacts if a.builder not in run_keys} | {
        r.base for r in runs}
    runtime = _runtime_build(ops[first_extraction:], artifacts, dockerfiles, builder_images,
                             files)
    if runtime is None:
        return NoPattern("no image build uses the files taken out of containers")

    builders: list[BuildOp] = []
    stock: list[tuple[str, Loc]] = []
    for image in sorted(builder_images):
        b = builds_by_tag.get(image)
        if b is None:
            loc = next((a.loc for a in artifacts if a.builder == image),
                       next((r.loc for r in runs if r.base == image), None))
            assert loc is not None
            if not any(r.base == image for r in runs) or any(a.builder == image
                                                                 for a in artifacts):
                stock.append((image, loc))
        elif b not in builders:
            builders.append(b)

    # Containers and images that existed only to carry artifacts out.
    for op in ops:
        if isinstance(op, CreateOp | RunOp) and op.name in used_containers:
            dead.append(op.cmd)
        elif isinstance(op, RemoveOp):
            names = set(op.names)
            if (op.what == "container" and names and names <= used_containers | {
                a for a in names if a in containers and containers[a][1] in dead
            }) or (op.what == "image" and names and names <= builder_images):
                dead.append(op.cmd)
    # Paths whose only use was carrying build outputs (or a build container's cache) out.
    hosts = {a.host for a in artifacts if not (a.how == "mount" and in_project(a.host, files))}
    hosts |= {c for r in runs for c in r.cache_dirs} | set(temps)
    # Outputs a build wrote into a bind-mounted source tree, as the final build reads them.
    trees = [a for a in artifacts if a.how == "mount" and in_project(a.host, files)]
    df = dockerfiles.get(runtime.dockerfile)
    for _stage, _ins, sources in (copy_sources(df, runtime.context, runtime.staged)
                                  if df and trees else ()):
        hosts |= {s.rstrip("/") for s in sources if any(reads_artifact(s, t, files)
                                                         for t in trees)}
    for hop in host_ops:
        if hop.cmd in dead or hop.tool not in ("rm", "mkdir", "rmdir", "chmod", "chown"):
            continue
        paths = [p for p in hop.args if not p.startswith("-")]
        if paths and all(_only_artifacts(rel(posixpath.normpath(posixpath.join(hop.cmd.cwd, p)),
                                              hop.cmd.loc), hosts, files) for p in paths):
            dead.append(hop.cmd)

    dead.extend(staging)
    for b in builders:
        dead.append(b.cmd)
    keep = tuple(b for b in builders if _tag_used_later(b, ops, dead))
    if keep:
        dead = [c for c in dead if c not in {b.cmd for b in keep}]
    return Flow(tuple(builders), tuple(stock), runtime, tuple(artifacts),
                tuple(dict.fromkeys(dead)), keep, tuple(warnings), tuple(runs))


def _image_command(df: Dockerfile, target: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ENTRYPOINT and CMD a stage of this Dockerfile sets (empty where it sets none)."""
    stage = df.stage(target) if target else df.stages[-1]
    found: dict[str, tuple[str, ...]] = {}
    for ins in stage.body if stage is not None else ():
        if ins.keyword in ("ENTRYPOINT", "CMD"):
            body = ins.text.split(None, 1)[1].strip() if " " in ins.text.strip() else ""
            try:
                value = json.loads(body)
                exec_form = isinstance(value, list)
            except ValueError:
                exec_form = False
            found[ins.keyword] = (tuple(str(x) for x in value) if exec_form
                                  else ("/bin/sh", "-c", body))
    return found.get("ENTRYPOINT", ()), found.get("CMD", ())


def _covers(path: str, host: str) -> bool:
    return host == path or host.startswith(path.rstrip("/") + "/") or path == "."


def _apply_mode_change(op: HostOp, artifacts: list[Artifact], dead: list[Command]) -> None:
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
        host = project_rel(posixpath.normpath(posixpath.join(op.cmd.cwd, p)))
        if host is None:
            continue
        for i, a in enumerate(artifacts):
            if _covers(host, a.host) or _covers(a.host, host):
                target = _dist(host)
                step = (f"chmod {' '.join([*flags, mode])} {_q(target)}" if op.tool == "chmod"
                        else None)
                if step and step not in a.replay:
                    artifacts[i] = replace(a, replay=(*a.replay, step), direct=False,
                                           edges=(*a.edges, op.cmd.loc))
                touched = True
    if touched:
        dead.append(op.cmd)


def _apply_move(op: HostOp, artifacts: list[Artifact], dead: list[Command]) -> None:
    rest = [a for a in op.args if not a.startswith("-")]
    if len(rest) != 2:
        return
    src = project_rel(posixpath.normpath(posixpath.join(op.cmd.cwd, rest[0])))
    dst = project_rel(posixpath.normpath(posixpath.join(op.cmd.cwd, rest[1])))
    if src is None or dst is None:
        return
    for i, a in enumerate(artifacts):
        if a.host == src:
            replay = (f"mkdir -p {_q(posixpath.dirname(_dist(dst)))}",
                      f"mv {_q(_dist(src))} {_q(_dist(dst))}")
            artifacts[i] = replace(a, host=dst, direct=False, edges=(*a.edges, op.cmd.loc),
                                   replay=(*a.replay, *replay))
            dead.append(op.cmd)


def _only_artifacts(path: str, hosts: set[str], files: Collection[str]) -> bool:
    """True if `path` names artifacts or directories holding only artifacts."""
    if path in hosts or any(_covers(h, path) for h in hosts):
        return True
    prefix = path.rstrip("/") + "/"
    if any(h.startswith(prefix) for h in hosts):
        return not any(f.startswith(prefix) for f in files)
    return False


def in_project(path: str, files: Collection[str]) -> bool:
    """The path names a project file, or a directory holding some."""
    bare = path.rstrip("/")
    return bare == "." or bare in files or any(f.startswith(bare + "/") for f in files)


def reads_artifact(source: str, a: Artifact, files: Collection[str]) -> bool:
    """A COPY source (project-relative) reads what artifact `a` put on the host.

    A bind-mounted source tree only counts for the paths the build created in it.
    """
    if a.how == "mount" and in_project(a.host, files):
        return _covers(a.host, source) and not in_project(source, files)
    return _matches(source, a.host)


def _runtime_build(ops: Sequence[DockerOp], artifacts: Sequence[Artifact],
                   dockerfiles: Mapping[str, Dockerfile], builder_images: set[str],
                   files: Collection[str]) -> BuildOp | None:
    found: list[BuildOp] = []
    for op in ops:
        if not isinstance(op, BuildOp) or any(t.value in builder_images for t in op.tags):
            continue
        df = dockerfiles.get(op.dockerfile)
        if df is None:
            continue
        for _, _ins, sources in copy_sources(df, op.context, op.staged):
            if any(reads_artifact(s, a, files) for s in sources for a in artifacts):
                found.append(op)
                break
    if len(found) > 1:
        raise Unsupported(found[-1].cmd.loc, "more than one image build uses the extracted files "
                                             f"(also {found[0].cmd.loc}); not supported yet")
    return found[0] if found else None


def _matches(source: str, host: str) -> bool:
    import fnmatch

    if any(c in source for c in "*?["):
        return fnmatch.fnmatchcase(host, source.rstrip("/")) or any(
            fnmatch.fnmatchcase(p, source.rstrip("/")) for p in _parents(host))
    return _covers(source, host) or _covers(host, source)


def _parents(path: str) -> list[str]:
    out = []
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        out.append(path)
    return out


def _tag_used_later(build: BuildOp, ops: Sequence[DockerOp], dead: list[Command]) -> bool:
    tags = {t.value for t in build.tags}
    for op in ops:
        if op.cmd in dead or op is build:
            continue
        if any(w.value in tags or any(w.value.startswith(t + " ") for t in tags)
               for w in op.cmd.argv[1:]):
            return True
    return False

