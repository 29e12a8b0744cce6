"""The values that flow through the pipeline.

discover -> read -> interpret -> infer -> plan -> render -> write/diff. Every step takes frozen
values and returns new ones; every fact carries the place in the input it came from (`Loc`).
This module imports nothing heavy: the CLI imports it on every start.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrator.problems import PROJECT as PROJECT
from migrator.problems import Loc as Loc
from migrator.problems import Problem as Problem
from migrator.problems import Severity as Severity
from migrator.problems import Span as Span
from migrator.problems import Unsupported as Unsupported
from migrator.problems import error as error
from migrator.problems import warning as warning

# ---------------------------------------------------------------- Dockerfiles


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, its text kept verbatim (continuations, heredoc bodies)."""

    keyword: str  # upper case: FROM, RUN, COPY ...
    text: str  # the original text, without the final newline
    span: Span  # whole lines, newline included
    loc: Loc
    flags: tuple[str, ...] = ()  # "--from=builder", "--chown=0:0" in source order
    args: tuple[str, ...] = ()  # COPY/ADD: sources then destination; FROM: image [AS name]
    json_form: bool = False

    def flag(self, name: str) -> str | None:
        prefix = f"--{name}="
        for f in self.flags:
            if f.startswith(prefix):
                return f[len(prefix) :]
        return None


@dataclass(frozen=True)
class Stage:
    index: int
    name: str | None
    base: str  # the image reference (or earlier stage name) after FROM, verbatim
    platform: str | None
    from_: Instruction
    body: tuple[Instruction, ...]  # instructions after FROM up to the next FROM

    @property
    def end(self) -> int:
        """Offset just after this stage's last instruction."""
        return (self.body[-1] if self.body else self.from_).span.end


@dataclass(frozen=True)
class Dockerfile:
    path: str  # relative to the project root
    text: str
    escape: str
    syntax: str | None
    header: tuple[Instruction, ...]  # ARGs before the first FROM
    stages: tuple[Stage, ...]
    comments: tuple[Span, ...] = ()

    def stage(self, ref: str) -> Stage | None:
        for st in self.stages:
            if st.name is not None and st.name.lower() == ref.lower():
                return st
        if ref.isdigit() and int(ref) < len(self.stages):
            return self.stages[int(ref)]
        return None


# ---------------------------------------------------------------- build scripts


@dataclass(frozen=True)
class Word:
    """A shell word: its source text, its value where the script makes it known.

    `value` has unknown parts (environment variables, command substitutions) kept as `${NAME}` /
    `$(...)` text, so two words naming the same unknown still compare equal.
    """

    raw: str
    value: str
    span: Span
    known: bool = True  # False if value contains an unknown part
    split: bool = False  # one of several fields that one source word expanded to


@dataclass(frozen=True)
class Redirect:
    op: str  # ">", ">>", "<", "2>" ...
    target: Word | None  # None for fd duplications
    fd: int | None = None


@dataclass(frozen=True)
class Command:
    """One simple command as the script runs it, in execution order.

    `argv` has `sudo`, `env X=Y` and leading assignments removed. `cwd` is the working directory
    the command runs in, absolute under the project sentinel (see `PROJECT`). `calls` are the
    function call sites this command was reached through (outermost first): edits to a command
    inside a function land on its call site.
    """

    argv: tuple[Word, ...]
    loc: Loc
    span: Span  # the command, redirections included
    cut: Span  # what to remove to delete it: the command and one adjacent list operator
    cwd: str
    redirects: tuple[Redirect, ...] = ()
    pipe: tuple[int, int] | None = None  # (pipeline id, position) when part of a pipeline
    calls: tuple[Command, ...] = ()
    conditional: bool = False  # inside if/while/case/||: may not run
    env: tuple[tuple[str, str], ...] = ()  # assignments given to this command only
    file: str = ""  # the script this command's text is in
    captured: str | None = None  # `X=$(cmd)`: the variable that receives its output
    # The commands that ran the file this command is in (`./build.sh`, `make -C dir`), outermost
    # first; empty for a command of the entry point itself.
    via: tuple[Command, ...] = ()

    @property
    def name(self) -> str:
        return self.argv[0].value if self.argv else ""

    def words(self) -> tuple[str, ...]:
        return tuple(w.value for w in self.argv)


@dataclass(frozen=True)
class Script:
    """A build entry point read into commands: a shell script, a Makefile target, ..."""

    path: str
    text: str
    kind: str  # "shell" | "make" | "python"
    commands: tuple[Command, ...]
    problems: tuple[Problem, ...] = ()
    target: str | None = None  # the make target read
    functions: tuple[tuple[str, Span], ...] = ()  # shell function definitions
    notes: tuple[str, ...] = ()  # assumptions made while reading (`uname -m` read as x86_64)


# ---------------------------------------------------------------- docker operations


@dataclass(frozen=True)
class BuildOp:
    cmd: Command
    dockerfile: str  # project-relative path of the Dockerfile used
    context: str  # project-relative context directory ("." for the root)
    tags: tuple[Word, ...]
    build_args: tuple[tuple[str, Word], ...]  # (name, the `K=V` or bare `K` word)
    target: str | None
    options: tuple[Word, ...]  # other options kept verbatim for the new command
    dockerfile_given: bool  # -f was on the command line
    dockerfile_word: Word | None = None  # the `-f` value as written
    staged: tuple[tuple[str, str], ...] = ()  # a context assembled with cp: path -> its source


@dataclass(frozen=True)
class CreateOp:
    cmd: Command
    image: str
    name: str | None  # --name, or the variable that captured the id ("$CID")


@dataclass(frozen=True)
class RunOp:
    cmd: Command
    image: str
    name: str | None
    remove: bool
    volumes: tuple[tuple[str, str, str], ...]  # (host path or volume, container path, options)
    workdir: str | None
    entrypoint: str | None
    user: str | None
    env: tuple[tuple[str, str], ...]
    args: tuple[str, ...]  # the command given after the image
    detach: bool = False
    network: str | None = None
    links: tuple[str, ...] = ()
    env_words: tuple[tuple[str, Word | None], ...] = ()  # `-e K=V` (the V word) / bare `-e K`
    arg_words: tuple[Word, ...] = ()
    privileged: bool = False
    published: tuple[str, ...] = ()  # `-p HOST:CONTAINER`


@dataclass(frozen=True)
class ExecOp:
    """`docker exec` in a running container, or `docker start` of a created one (args empty)."""

    cmd: Command
    container: str
    args: tuple[str, ...]
    workdir: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    start: bool = False


@dataclass(frozen=True)
class CpOp:
    cmd: Command
    container: str | None  # source container (None when copying into a container)
    src: str
    dest: str  # host path, absolute under PROJECT, or "-" for a stream


@dataclass(frozen=True)
class RemoveOp:
    cmd: Command
    what: str  # "container" | "image"
    names: tuple[str, ...]


@dataclass(frozen=True)
class HostOp:
    """A host command that touches files the flow cares about: cp, mv, chmod, rm, mkdir, tar."""

    cmd: Command
    tool: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class ExportOp:
    """`docker export CID` (a tar stream of the container's filesystem) or `-o FILE`."""

    cmd: Command
    container: str
    output: str | None  # host path of `-o`, absolute under PROJECT; None for standard output


@dataclass(frozen=True)
class ImageOp:
    """A step that makes or unpacks an image outside a Dockerfile build: `docker commit CID TAG`,
    `docker save IMG`, `docker load`, `docker import`."""

    cmd: Command
    what: str  # "commit" | "save" | "load" | "import"
    args: tuple[str, ...]


DockerOp = BuildOp | CreateOp | RunOp | CpOp | RemoveOp | HostOp | ExecOp | ExportOp | ImageOp


# ---------------------------------------------------------------- inference results


@dataclass(frozen=True)
class Artifact:
    """Something a legacy step took out of a builder container and left on the host.

    `host` is where it landed (project-relative). `replay` are shell commands that, run in a
    stage built on the builder, put the same thing at `/migrator-dist/<host>` with the modes the
    legacy path gave it; `direct` says a plain `COPY --from=<builder> <src>` gives the same result.
    """

    builder: str  # the builder image as the script names it
    src: str  # absolute path in the container ("" when it is a command's output)
    host: str  # project-relative path on the host
    how: str  # "cp", "cat", "volume", "tar"
    loc: Loc
    replay: tuple[str, ...]
    direct: bool
    user: str | None = None  # `-u` the container ran as
    edges: tuple[Loc, ...] = ()  # every later step that changed it (chmod, mv ...)
    # A tar archive whose members are known: (path inside the archive, the builder path it was
    # made from). A runtime `ADD archive dir/` unpacks it; the members come from the builder.
    members: tuple[tuple[str, str], ...] = ()
