"""What a container runs: the image's ENTRYPOINT/CMD combined with `docker run`'s arguments."""

from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from migrator.infer.machine import ImageCommand, Machine, q
from migrator.infer.tar import tar_members
from migrator.model import PROJECT, Dockerfile, RunOp, Unsupported


def image_command(df: Dockerfile, target: str | None) -> ImageCommand:
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


def effective_command(op: RunOp, m: Machine) -> tuple[str, ...]:
    """What the container runs: ENTRYPOINT + (arguments or CMD), as `docker run` combines them."""
    if op.entrypoint is not None:
        return (op.entrypoint, *op.args) if op.entrypoint else op.args
    ep, cmd = m.command(op.image)
    argv = (*ep, *(op.args or cmd))
    if not argv:
        raise Unsupported(op.cmd.loc, f"`docker run {op.image}` runs the image's own command, "
                                      "which this project does not define (a stock image's CMD)")
    return argv


def shell_line(op: RunOp, argv: Sequence[str]) -> str:
    """The container's command as one shell line for a `RUN` (its `-e` and `-w` applied)."""
    line = shlex.join(argv)
    if op.env:
        unknown = {k for k, w in op.env_words if w is not None and not w.known}
        line = "env " + " ".join(_env_item(k, v, k in unknown) for k, v in op.env) + " " + line
    if op.workdir:
        line = f"cd {q(op.workdir)} && {line}"
    return line


def _env_item(name: str, value: str, unknown: bool) -> str:
    """`K=V` for `env`; a value the script does not make known keeps its `${NAME}` parts for
    the stage's shell to expand (as empty as the legacy `-e K=$UNSET`), not as literal text."""
    if not unknown:
        return q(f"{name}={value}")
    return '"' + "".join("\\" + c if c in '"\\`' else c for c in f"{name}={value}") + '"'


def idles(args: Sequence[str]) -> bool:
    """`sleep infinity`, `tail -f /dev/null`, a bare shell: a container kept up for `exec`."""
    name = posixpath.basename(args[0])
    return name in ("sleep", "cat", "sh", "bash") or (name == "tail" and "-f" in args)


@dataclass(frozen=True)
class TarTail:
    """A container command that ends by writing a tar stream of known members to stdout."""

    before: str | None  # the shell commands that run before it (`sh -c "make; tar ..."`)
    tar: str  # the tar command as a shell line, run in `directory`
    directory: str
    members: tuple[str, ...]


def tar_tail(argv: Sequence[str]) -> TarTail | None:
    """`tar -czf - dist` or `sh -c 'cd /src && make && cd out && tar -czf - app.jar'`."""
    direct = _tar_to_stdout(argv)
    if direct is not None:
        return TarTail(None, shlex.join(argv), direct[0], direct[1])
    if len(argv) != 3 or posixpath.basename(argv[0]) not in ("sh", "bash") or argv[1] != "-c":
        return None
    from migrator.readers.shell import read_shell  # a builder's CMD body: read, never run

    try:
        commands = read_shell("CMD", argv[2]).commands
    except Unsupported:
        return None
    last = commands[-1] if commands else None
    found = _tar_to_stdout(last.words()) if last is not None else None
    if last is None or found is None or last.redirects:
        return None
    words = last.words()
    absolute = any(a in ("-C", "--directory") and b.startswith("/")
                   for a, b in pairwise(words))
    if not absolute and last.cwd.startswith(PROJECT):
        return None  # relative to the image's WORKDIR
    before = argv[2][: last.span.start].rstrip().rstrip(";&|").rstrip() or None
    directory = found[0] if absolute else posixpath.normpath(
        posixpath.join(last.cwd, found[0].lstrip("/") or "."))
    return TarTail(before, shlex.join(last.words()), directory, found[1])


def _tar_to_stdout(argv: Sequence[str]) -> tuple[str, tuple[str, ...]] | None:
    found = tar_members(argv)
    if found is None:
        return None
    file_given = any(a in ("-f", "--file") or (a.startswith("-") and not a.startswith("--")
                                                and "f" in a) for a in argv[1:])
    if file_given and "-" not in argv[1:]:
        return None
    return found


def _tar_file(words: Sequence[str]) -> str | None:
    for i, a in enumerate(words[1:], 1):
        if a.startswith("--file="):
            return a.split("=", 1)[1]
        if (a == "--file" or (a.startswith("-") and not a.startswith("--") and a.endswith("f"))
                or (i == 1 and not a.startswith("-") and a.endswith("f"))) and i + 1 < len(words):
            return words[i + 1]
    return None


def tar_into(argv: Sequence[str], path: str) -> tuple[str, tuple[str, ...]] | None:
    """Where `argv` (a tar, or `sh -c '... && tar -czf /root/out.tgz dist/*'`) writes the
    archive `path` in the container from: (directory, members), or None."""
    if len(argv) == 3 and posixpath.basename(argv[0]) in ("sh", "bash") and argv[1] == "-c":
        from migrator.readers.shell import read_shell  # read, never run

        try:
            commands = [(c.words(), c.cwd) for c in read_shell("exec", argv[2]).commands]
        except Unsupported:
            return None
    else:
        commands = [(tuple(argv), "/")]
    for words, cwd in commands:
        found = tar_members(words)
        target = _tar_file(words)
        if found is None or target is None or cwd.startswith(PROJECT):
            continue
        if posixpath.normpath(posixpath.join(cwd, target)) == posixpath.normpath(path):
            absolute = any(a in ("-C", "--directory") for a in words)
            return (found[0] if absolute else posixpath.normpath(
                posixpath.join(cwd, found[0].lstrip("/") or "."))), found[1]
    return None
