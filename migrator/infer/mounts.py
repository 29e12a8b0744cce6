"""`docker run -v`: which mounts feed the build its sources, which collect its outputs, which
are caches; and the stage a bind-mounted build becomes."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from migrator.infer.flow import RunStage, Step
from migrator.infer.machine import outside_why
from migrator.interpret import project_rel
from migrator.model import RunOp, Unsupported, Word


@dataclass(frozen=True)
class Mounts:
    sources: tuple[tuple[str, str], ...]  # project-relative dir with files -> mount point
    outputs: tuple[tuple[str, str], ...]  # project-relative dir the build fills -> mount point
    caches: tuple[tuple[str, str], ...]  # host path or volume name -> mount point


_CACHE_TARGETS = ("/root/.cache", "/go/pkg/mod", "/root/.m2", "/root/.gradle", "/root/.npm",
                  "/usr/local/share/.cache", "/root/.cargo/registry", "/var/cache")
_TOOL_TARGETS = ("/usr/bin/", "/usr/local/bin/", "/bin/", "/usr/sbin/", "/sbin/")
_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def refuse_privileged(op: RunOp) -> None:
    """Called where a run produces something the migration must rebuild in a stage."""
    if op.privileged:
        raise Unsupported(op.cmd.loc, "the build runs in a --privileged container: a Dockerfile "
                                      "stage cannot get those rights, so it would not build the "
                                      "same thing")


def _refuse_services(op: RunOp) -> None:
    if op.links or (op.network or "").startswith("container:") or (
            op.network not in (None, "", "host", "none", "bridge", "default")):
        raise Unsupported(op.cmd.loc, "the build talks to containers started beside it "
                                      f"(--link/--network {op.network or ''}): not translatable "
                                      "to a Dockerfile stage")


def classify_mounts(op: RunOp, dirs: Collection[str], files: Collection[str],
                    temps: Collection[str] = ()) -> Mounts:
    """`temps`: temporary directories (an assembled context): outputs collected there."""
    _refuse_services(op)
    sources: list[tuple[str, str]] = []
    outputs: list[tuple[str, str]] = []
    caches: list[tuple[str, str]] = []
    for host, target, options in op.volumes:
        if host in _SOCKETS or target in _SOCKETS:
            raise Unsupported(op.cmd.loc, "the build needs the Docker socket inside the "
                                          "container: not translatable to a Dockerfile stage")
        if target.startswith(_TOOL_TARGETS):
            continue  # a tool given to the container (qemu-*-static for emulation): an input
        cache_like = target.startswith(_CACHE_TARGETS) or "cache" in host.lower()
        if not host.startswith(("/", "$")) and "/" not in host:
            caches.append((host, target))  # a named volume
            continue
        rel = project_rel(host)
        if rel is None and any(host == t or host.startswith(t + "/") for t in temps):
            rel = host
        if rel is None and cache_like and not outside_why(host):
            caches.append((host, target))  # a host cache (~/.m2): not needed for the result
            continue
        if rel is None:
            raise Unsupported(op.cmd.loc, f"the build depends on {host}, a host path outside "
                                          f"the project{outside_why(host)}")
        if cache_like:
            caches.append((rel, target))
        elif rel == "." or (rel in dirs and any(f.startswith(rel + "/") for f in files)):
            sources.append((rel, target))
        elif "ro" not in options.split(","):
            outputs.append((rel, target))
    return Mounts(tuple(sources), tuple(outputs), tuple(caches))


_VAR = re.compile(r"\$\{(\w+)\}")


def symbolic_args(op: RunOp) -> tuple[tuple[str, Word | None], ...]:
    """Unknown values in the container's command (`-X main.version=${VERSION}`): each becomes a
    build arg of the stage, passed by the final build as the script wrote it. A command
    substitution or other unknown text that is not a variable is refused."""
    names: dict[str, Word] = {}
    for w in op.arg_words:
        if w.known:
            continue
        if "$(" in _VAR.sub("", w.value) or "`" in w.value:
            raise Unsupported(op.cmd.loc, "the container's command depends on the output of a "
                                          f"command the script runs ({w.raw}): not supported "
                                          "yet")
        for name in _VAR.findall(w.value):
            names.setdefault(name, Word("${" + name + "}", "${" + name + "}", w.span, False))
    given = {k for k, _ in op.env_words}
    return tuple((k, v) for k, v in names.items() if k not in given)


def run_stage(op: RunOp, mounts: Mounts, argv: tuple[str, ...]) -> RunStage:
    env = (*op.env_words, *symbolic_args(op))
    if len(env) > len(op.env_words) and argv and not (
            len(argv) == 3 and argv[1] == "-c" and argv[0].endswith("sh")):
        argv = ("/bin/sh", "-c", " ".join(_expanding(a) for a in argv))
    ignored = []
    if op.user:
        ignored.append(f"-u {op.user} (the stage runs as the image's user; the legacy image "
                       "got 0:0 from its COPY anyway)")
    ignored.extend(f"cache mount {h}:{t}" for h, t in mounts.caches)
    return RunStage(f"run:{op.cmd.loc}", op.image, op.cmd.loc, op.name or "build", op.workdir,
                    env, mounts.sources, tuple(t for _, t in mounts.outputs),
                    tuple(t for _, t in mounts.caches), (Step(argv),) if argv else (),
                    tuple(ignored), None,
                    tuple(h for h, _ in mounts.caches if ("/" in h or h.startswith("."))
                          and not h.startswith("/")))


def _expanding(arg: str) -> str:
    """`arg` double-quoted for sh so that only its `${NAME}` references expand."""
    parts = _VAR.split(arg)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append("${" + part + "}")
        else:
            out.append(re.sub(r'([\\"$`])', r"\\\1", part))
    return '"' + "".join(out) + '"'
