"""The project script a builder container runs (its ENTRYPOINT/CMD, or `--entrypoint`), read as
the commands of that file.

`docker run --entrypoint=script/build/linux-entrypoint -v "$PWD/dist:/code/dist" builder` runs a
file that the builder's Dockerfile copied from the project (`COPY . /code`). This module maps the
container path back through the stage's COPY/ADD and WORKDIR instructions to the project file and
reads it with the shell reader, in the container's working directory: the commands carry that
file's `file:line`, and their paths are container paths (not under the project sentinel). What
the commands mean (what they leave in a mounted directory) is inference's business.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from migrator.model import Dockerfile, Loc, Stage
from migrator.readers.context import Read, ReaderContext

_SHELLS = {"sh", "bash", "dash", "ash"}


def workdirs(stage: Stage) -> list[tuple[int, str]]:
    """(instruction index, absolute working directory from there on)."""
    out = [(-1, "/")]
    for i, ins in enumerate(stage.body):
        value = ins.text.split(None, 1)[1].strip() if ins.keyword == "WORKDIR" else ""
        if value and "$" not in value:
            out.append((i, posixpath.normpath(posixpath.join(out[-1][1], value.strip("\"'")))))
    return out


def project_file(stage: Stage, context: str, path: str, files: frozenset[str]) -> str | None:
    """The project file a COPY/ADD of `stage` put at container path `path` (the last one wins)."""
    dirs = workdirs(stage)
    for i in range(len(stage.body) - 1, -1, -1):
        ins = stage.body[i]
        if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None or len(ins.args) < 2:
            continue
        cwd = next(d for j, d in reversed(dirs) if j < i)
        dest = posixpath.normpath(posixpath.join(cwd, ins.args[-1]))
        for src in ins.args[:-1]:
            found = _source_for(posixpath.normpath(posixpath.join(context, src)), dest,
                                ins.args[-1].endswith("/") or len(ins.args) > 2, path, files)
            if found is not None:
                return found
    return None


def _source_for(src: str, dest: str, into_dir: bool, path: str,
                files: frozenset[str]) -> str | None:
    src = "" if src == "." else src
    if src in files:  # a file: copied to dest, or into dest/
        target = posixpath.join(dest, posixpath.basename(src)) if into_dir else dest
        return src if target == path else None
    if path.startswith(dest.rstrip("/") + "/"):  # a directory's contents go into dest
        rel = posixpath.join(src, path[len(dest.rstrip("/")) + 1 :]) if src else \
            path[len(dest.rstrip("/")) + 1 :]
        return rel if rel in files else None
    return None


def container_script(ctx: ReaderContext, df: Dockerfile, context: str,
                     argv: Sequence[str], loc: Loc, stage: Stage | None = None) -> Read | None:
    """The commands of the project script that `argv` (the container's effective command) runs
    in an image built from `df` (its last stage unless `stage`) with build context `context`
    (project-relative). None when the command is not a script copied from the project."""
    st = stage or (df.stages[-1] if df.stages else None)
    if st is None or not argv:
        return None
    script, args = argv[0], tuple(argv[1:])
    if posixpath.basename(script) in _SHELLS:
        if not args or args[0].startswith("-"):
            return None  # `sh -c '...'` is a command line, not a file
        script, args = args[0], args[1:]
    workdir = workdirs(st)[-1][1]
    inside = posixpath.normpath(posixpath.join(workdir, script))
    path = project_file(st, context, inside, ctx.files)
    if path is None:
        return None
    from migrator.readers.shell import ShellReader, _Frag, initial_frame

    with ctx.entering(path, loc, args):
        text = ctx.text(path, loc)
        reader = ShellReader(path, text, script_dir=posixpath.dirname(inside), ctx=None)
        reader.read(_Frag(text), initial_frame({}, workdir, args))
    return Read(tuple(reader.shared.commands), tuple(reader.shared.problems))
