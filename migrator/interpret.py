"""Turn commands (from any reader) into docker and host-file operations.

This is the language-neutral step: shell scripts, Makefile recipes and Python build scripts all
produce `Command`s; here each becomes a `BuildOp`, `CreateOp`, `RunOp`, `CpOp`, `RemoveOp`,
`HostOp` or nothing. Only the docker CLI's own option grammar is known here.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from migrator.dockercli import (
    BUILD_WITH_ARG,
    CP_FLAGS,
    RUN_BOOL_LETTERS,
    RUN_WITH_ARG,
    split_command,
)
from migrator.model import (
    PROJECT,
    BuildOp,
    Command,
    CpOp,
    CreateOp,
    DockerOp,
    ExecOp,
    ExportOp,
    HostOp,
    ImageOp,
    RemoveOp,
    RunOp,
    Unsupported,
    Word,
)
from migrator.readers.words import host_path

# The context of `docker build -` fed by a pipe: the stream's members, as an assembled context
# (staging.py) whose paths are under this name.
STDIN = "-"

# Image builders other than `docker build`: an image they build from extracted files has no
# multi-stage form migrator can write (see infer/finish.py).
FOREIGN_BUILDERS = ("buildctl", "buildah", "img", "kaniko", "executor")

_HOST_TOOLS = {"cp", "mv", "chmod", "chown", "rm", "mkdir", "tar", "install", "ln", "rmdir",
               "mktemp", "curl", "wget", "vagrant", "sed", "find", *FOREIGN_BUILDERS}


def _opt(argv: list[Word], i: int, with_arg: set[str]) -> tuple[str, str | None, Word | None, int]:
    """Name, value and value word of the option at argv[i], and the index after it."""
    v = argv[i].value
    if v.startswith("--") and "=" in v:
        name, _, val = v.partition("=")
        w = argv[i]
        raw = w.raw.split("=", 1)[1] if w.raw.startswith(name + "=") else w.raw
        return name, val, Word(raw, val, w.span, w.known), i + 1
    if v in with_arg:
        if i + 1 >= len(argv):
            return v, None, None, i + 1
        return v, argv[i + 1].value, argv[i + 1], i + 2
    if len(v) > 2 and v[0] == "-" and v[1] != "-" and v[:2] in with_arg:
        return v[:2], v[2:], argv[i], i + 1
    return v, None, None, i + 1


def _subcommand(cmd: Command) -> tuple[str, list[Word]]:
    """The docker subcommand (`build`, `container cp` -> `cp`) and the words after it."""
    words = list(cmd.argv[1:])
    _, sub, rest = split_command([w.value for w in words])
    return sub, words[len(words) - len(rest) :]


def interpret(cmd: Command) -> DockerOp | None:
    name = posixpath.basename(cmd.name)
    if name in ("docker", "podman", "nerdctl"):  # the same commands
        sub, rest = _subcommand(cmd)
        if sub == "build":
            return _build(cmd, rest)
        if sub == "create":
            return _run(cmd, rest, create=True)
        if sub == "run":
            return _run(cmd, rest, create=False)
        if sub == "cp":
            return _cp(cmd, rest)
        if sub in ("exec", "start"):
            return _exec(cmd, rest, start=sub == "start")
        if sub == "export":
            return _export(cmd, rest)
        if sub in ("commit", "save", "load", "import"):
            return ImageOp(cmd, sub, tuple(w.value for w in rest))
        if sub in ("rm", "rmi", "stop", "kill", "wait"):
            names = tuple(w.value for w in rest if not w.value.startswith("-"))
            return RemoveOp(cmd, "image" if sub == "rmi" else "container", names)
        return None
    if name == "trap" and len(cmd.argv) >= 2:
        return _trap(cmd)
    if name in _HOST_TOOLS:
        return HostOp(cmd, name, tuple(w.value for w in cmd.argv[1:]))
    return None


def _trap(cmd: Command) -> RemoveOp | None:
    """`trap 'docker rm -f NAME' EXIT`: a cleanup of containers, like a `docker rm`."""
    import shlex

    try:
        words = shlex.split(cmd.argv[1].value)
    except ValueError:
        return None
    words = [w for w in words if w not in (">/dev/null", "2>&1", "||", "true")]
    if len(words) >= 3 and words[0] == "docker" and (words[1] in ("rm", "stop", "kill") or
                                                      words[1:3] == ["container", "rm"]):
        return RemoveOp(cmd, "container", tuple(w for w in words[2:] if not w.startswith("-")
                                                and w != "rm"))
    return None


def _rel(path: str) -> str:
    if path == PROJECT:
        return "."
    if path.startswith(PROJECT + "/"):
        return path[len(PROJECT) + 1 :]
    return path


def _build(cmd: Command, argv: list[Word]) -> BuildOp:
    tags: list[Word] = []
    build_args: list[tuple[str, Word]] = []
    options: list[Word] = []
    dockerfile: str | None = None
    dockerfile_word: Word | None = None
    target = None
    positional: list[Word] = []
    i = 0
    while i < len(argv):
        w = argv[i]
        if not w.value.startswith("-") or w.value == "-":
            positional.append(w)
            i += 1
            continue
        name, val, val_word, j = _opt(argv, i, BUILD_WITH_ARG)
        if name in ("-t", "--tag") and val_word is not None:
            tags.append(val_word)
        elif name == "--build-arg" and val is not None and val_word is not None:
            build_args.append((val.partition("=")[0], val_word))
        elif name in ("-f", "--file") and val is not None:
            dockerfile, dockerfile_word = val, val_word
        elif name == "--target":
            target = val
        else:
            options.extend(argv[i:j])
        i = j
    unknown = [w.raw for w in positional if not w.known]
    if len(positional) != 1 and unknown:
        raise Unsupported(cmd.loc, f"docker build's arguments depend on {', '.join(unknown)}, "
                                   "which the script does not make known")
    if len(positional) != 1:
        raise Unsupported(cmd.loc, "docker build needs exactly one context argument")
    ctx_word = positional[0]
    if ctx_word.value == "-" and cmd.pipe is not None and cmd.pipe[1] > 0:
        return _stdin_build(cmd, tags, build_args, target, options, dockerfile, dockerfile_word)
    stdin = next((r.target for r in cmd.redirects if r.op == "<" and r.target is not None), None)
    if ctx_word.value == "-" and stdin is not None and dockerfile is None:
        # `docker build -t b - < Dockerfile.build`: that Dockerfile, and no context at all (so
        # it copies nothing in: the directory it is in serves as well as any)
        df_abs = host_path(stdin.value, cmd.cwd)
        return BuildOp(cmd, _rel(df_abs), _rel(posixpath.dirname(df_abs)), tuple(tags),
                       tuple(build_args), target, tuple(options), True, stdin)
    if ctx_word.value == "-" or "://" in ctx_word.value or ctx_word.value.startswith("git@"):
        raise Unsupported(cmd.loc, f"build context {ctx_word.value!r} is not a directory in the "
                                   "project")
    context_abs = host_path(ctx_word.value, cmd.cwd).rstrip("/").removesuffix("/.")
    if dockerfile is None:
        df_abs = posixpath.join(context_abs, "Dockerfile")
    elif dockerfile == "-":
        raise Unsupported(cmd.loc, "Dockerfile from standard input is not supported")
    else:
        # `-f` is relative to the working directory, not to the context.
        df_abs = host_path(dockerfile, cmd.cwd)
    return BuildOp(cmd, _rel(df_abs), _rel(context_abs), tuple(tags), tuple(build_args), target,
                   tuple(options), dockerfile is not None, dockerfile_word)


_ARRAY = re.compile(r"\$\{\w+\[[@*]\]\}")
_RUN_SINGLE = {"--name": "name", "--network": "network", "--net": "network", "-w": "workdir",
               "--workdir": "workdir", "--entrypoint": "entrypoint", "-u": "user",
               "--user": "user"}


@dataclass
class _RunOptions:
    """`docker run`/`create` options as they are read, left to right."""

    single: dict[str, str | None] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)  # "--rm", "-d", "--privileged"
    volumes: list[tuple[str, str, str]] = field(default_factory=list)
    env: list[tuple[str, str]] = field(default_factory=list)
    env_words: list[tuple[str, Word | None]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)

    def take(self, cmd: Command, opt: str, val: str | None, val_word: Word | None) -> None:
        if opt in _RUN_SINGLE:
            self.single[_RUN_SINGLE[opt]] = val
        elif opt in ("--rm", "--privileged"):
            self.flags.add(opt)
        elif opt in ("-d", "--detach"):
            self.flags.add("-d")
        elif val is None:
            return
        elif opt in ("-v", "--volume"):
            self.volumes.append(_volume(val, cmd))
        elif opt == "--mount":
            self.volumes.append(_mount(val, cmd))
        elif opt in ("-e", "--env"):
            k, eq, v2 = val.partition("=")
            self.env.append((k, v2))
            raw = val_word.raw.split("=", 1)[1] if eq and val_word is not None and \
                "=" in val_word.raw else ""
            self.env_words.append((k, Word(raw, v2, val_word.span, val_word.known)
                                   if eq and val_word is not None else None))
        elif opt in ("-p", "--publish"):
            self.published.append(val)
        elif opt == "--link":
            self.links.append(val)


def _stdin_build(cmd: Command, tags: list[Word], build_args: list[tuple[str, Word]],
                 target: str | None, options: list[Word], dockerfile: str | None,
                 dockerfile_word: Word | None) -> BuildOp:
    """`... | docker build -f Dockerfile.run -`: the context is the tar stream piped in (see
    `STDIN`); `-f` names a file inside it, read as the project file of that name."""
    if dockerfile == "-":
        raise Unsupported(cmd.loc, "Dockerfile from standard input is not supported")
    name = posixpath.normpath(dockerfile or "Dockerfile")
    df_abs = host_path(name, cmd.cwd)
    return BuildOp(cmd, _rel(df_abs), STDIN, tuple(tags), tuple(build_args), target,
                   tuple(options), dockerfile is not None, dockerfile_word,
                   ((posixpath.join(STDIN, name), _rel(df_abs)),))


def _run(cmd: Command, argv: list[Word], create: bool) -> CreateOp | RunOp:
    o = _RunOptions()
    i = 0
    while i < len(argv) and argv[i].value.startswith("-"):
        v = argv[i].value
        if len(v) > 1 and v[0] == "-" and v[1] != "-" and set(v[1:]) <= RUN_BOOL_LETTERS:
            if "d" in v:
                o.flags.add("-d")
            i += 1
            continue
        opt, val, val_word, i = _opt(argv, i, RUN_WITH_ARG)
        o.take(cmd, opt, val, val_word)
    if i >= len(argv):
        raise Unsupported(cmd.loc, "docker run/create without an image")
    if not argv[i].known and _ARRAY.fullmatch(argv[i].value) and i + 1 < len(argv):
        # `docker run "${RUN_ARGS[@]}" "$IMG"`: options (mounts among them) nobody knows.
        raise Unsupported(cmd.loc, f"docker run's options depend on {argv[i].raw}, which the "
                                   "script does not make known")
    image = argv[i].value
    args = tuple(w.value for w in argv[i + 1 :])
    # `CID=$(docker create ...)` / `CID=$(docker run -d ...)`: the container is `${CID}` after.
    captured = f"${{{cmd.captured}}}" if cmd.captured else None
    name, detach = o.single.get("name"), "-d" in o.flags
    if create:
        return CreateOp(cmd, image, name or captured)
    return RunOp(cmd, image, name or (captured if detach else None), "--rm" in o.flags,
                 tuple(o.volumes), o.single.get("workdir"), o.single.get("entrypoint"),
                 o.single.get("user"), tuple(o.env), args, detach, o.single.get("network"),
                 tuple(o.links), tuple(o.env_words), tuple(argv[i + 1 :]),
                 "--privileged" in o.flags, tuple(o.published))


def _export(cmd: Command, argv: list[Word]) -> ExportOp:
    output = None
    names: list[str] = []
    i = 0
    while i < len(argv):
        opt, val, _, j = _opt(argv, i, {"-o", "--output"})
        if opt in ("-o", "--output") and val is not None:
            output = host_path(val, cmd.cwd)
        elif not opt.startswith("-"):
            names.append(opt)
        i = j
    if len(names) != 1:
        raise Unsupported(cmd.loc, "docker export needs exactly one container")
    return ExportOp(cmd, names[0], output)


def _exec(cmd: Command, argv: list[Word], start: bool) -> ExecOp | None:
    workdir = None
    env: list[tuple[str, str]] = []
    i = 0
    while i < len(argv) and argv[i].value.startswith("-"):
        opt, val, _, j = _opt(argv, i, {"-w", "--workdir", "-e", "--env", "-u", "--user",
                                        "--detach-keys", "--env-file"})
        if opt in ("-w", "--workdir"):
            workdir = val
        elif opt in ("-e", "--env") and val is not None:
            k, _, v = val.partition("=")
            env.append((k, v))
        i = j
    if i >= len(argv):
        return None
    return ExecOp(cmd, argv[i].value, tuple(w.value for w in argv[i + 1 :]), workdir,
                  tuple(env), start)


def _volume(spec: str, cmd: Command) -> tuple[str, str, str]:
    parts = spec.split(":")
    if len(parts) < 2:
        return ("", parts[0], "")
    host, target = parts[0], parts[1]
    opts = ":".join(parts[2:])
    if host.startswith(("/", ".", "$", "~")) or "/" in host:
        host = host_path(host, cmd.cwd)
    return (host, target, opts)


def _mount(spec: str, cmd: Command) -> tuple[str, str, str]:
    fields = dict(p.partition("=")[::2] for p in spec.split(","))
    src = fields.get("source") or fields.get("src") or ""
    dst = fields.get("target") or fields.get("destination") or fields.get("dst") or ""
    opts = "ro" if "readonly" in spec.split(",") or fields.get("readonly") == "true" else ""
    if fields.get("type", "volume") == "bind" and src:
        src = host_path(src, cmd.cwd)
    return (src, dst, opts)


def _cp(cmd: Command, argv: list[Word]) -> CpOp:
    args = [w.value for w in argv if w.value not in CP_FLAGS]
    if len(args) != 2:
        raise Unsupported(cmd.loc, "docker cp needs a source and a destination")
    src, dest = args
    if _is_container_path(src):
        container, _, path = src.partition(":")
        while path.startswith("./"):
            path = path[2:]
        # A container path is relative to the container's root, not its WORKDIR (docker cp).
        path = path if path.startswith("/") else "/" + (path if path != "." else "")
        dest_abs = dest if dest == "-" else host_path(dest, cmd.cwd)
        return CpOp(cmd, container, path, dest_abs)
    return CpOp(cmd, None, src, dest)


def _is_container_path(arg: str) -> bool:
    head, sep, _ = arg.partition(":")
    return bool(sep) and "/" not in head and not arg.startswith((".", "/"))


def project_rel(path: str) -> str | None:
    """Project-relative form of an absolute host path, or None if it leaves the project."""
    if path == PROJECT or path == PROJECT + "/.":
        return "."
    if path.startswith(PROJECT + "/"):
        return path[len(PROJECT) + 1 :]
    return None
