"""The `docker` a build script sees while verification runs it: the sandbox's guard.

Verification runs the project's real entry point in a throwaway copy with this shim first on
PATH (as `docker`, `podman` and `sudo`). Every docker call goes through `rewrite`, which
- moves every tag the script makes into a private namespace (`mv-<token>/<repo>:<tag>`), every
  container and volume name likewise, and maps later references to them (Dockerfile `FROM`
  lines included), so no existing tag, container or volume on the engine is touched;
- makes `push` and `login` no-ops and refuses subcommands that could change what the session did
  not create (`rm`/`rmi`/`stop` of foreign objects become no-ops; prunes and unknown commands are
  refused), and bind mounts outside the sandbox;
- records everything created, so the sandbox can remove it afterwards.
State lives in a JSON file in the sandbox, locked while it changes.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from migrator.dockercli import (
    BUILD_WITH_ARG,
    CP_FLAGS,
    RUN_BOOL_LETTERS,
    RUN_WITH_ARG,
    split_command,
)

REFUSED = 125  # docker's own code for "the docker command itself failed"

_PASS_THROUGH = {"version", "info", "images", "ps", "inspect", "history", "logs", "wait",
                 "top", "port", "diff", "save", "events", "stats", "volume ls", "volume inspect",
                 "network ls", "network inspect", "buildx", "context"}
_REMOVE = {"rm", "rmi", "kill", "stop", "volume rm"}
_REMOVE_WITH_VALUE = {"-t", "--time", "-s", "--signal"}


class Refused(Exception):
    pass


@dataclass
class State:
    token: str
    sandbox: str  # the project copy the script runs in: host paths must stay inside
    scratch: str = ""  # where the shim keeps files of its own (image id files)
    images: dict[str, str] = field(default_factory=dict)  # script's ref -> private ref
    containers: dict[str, str] = field(default_factory=dict)  # script's name -> private name
    volumes: dict[str, str] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)  # container ids and private names
    image_ids: list[str] = field(default_factory=list)
    pushed: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)  # host paths `build --output` wrote
    log: list[list[str]] = field(default_factory=list)  # every docker call, as the script made it

    def to_json(self) -> dict[str, Any]:
        return self.__dict__

    @classmethod
    def load(cls, path: str) -> State:
        with open(path, encoding="utf-8") as f:
            return cls(**json.load(f))


@contextmanager
def locked_state(path: str) -> Iterator[State]:
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = State.load(path)
        yield state
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(state.to_json(), f)
        os.replace(tmp, path)


def _private_ref(state: State, ref: str) -> str:
    name, tag = ref, "latest"
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = ref.rsplit(":", 1)
    name = re.sub(r"[^a-z0-9._/-]+", "-", name.lower().replace(":", "-")).strip("/")
    return f"mv-{state.token}/{name}:{tag}"


def _norm(ref: str) -> str:
    """`x` and `x:latest` name the same image."""
    return ref if ":" in ref.rsplit("/", 1)[-1] or "@" in ref else f"{ref}:latest"


def map_image(state: State, ref: str) -> str:
    return state.images.get(_norm(ref), ref)


def map_container(state: State, name: str) -> str:
    return state.containers.get(name, name)


def _inside(state: State, path: str) -> bool:
    real = os.path.realpath(path)
    box = os.path.realpath(state.sandbox)
    return real == box or real.startswith(box + os.sep)


def _check_host_path(state: State, path: str) -> None:
    """Host paths the script hands docker must stay in the project copy or under /tmp (where
    `mktemp` contexts live), after `..` and symlinks are resolved."""
    if not path or not path.startswith(("/", ".")):
        return
    real = os.path.realpath(path)
    if _inside(state, real) or real.startswith("/tmp/") or real == "/dev/null":
        return
    raise Refused(f"host path {path} is outside the verification sandbox")


def _rewrite_build(state: State, rest: list[str]) -> list[str]:
    out: list[str] = []
    dockerfile = None
    context = None
    files_out = False
    i = 0
    while i < len(rest):
        a = rest[i]
        name, eq, value = a.partition("=")
        takes = a in BUILD_WITH_ARG
        if a.startswith("--") and eq:
            takes, a, value_ = False, name, value
        else:
            value_ = rest[i + 1] if takes and i + 1 < len(rest) else ""
        if a in ("-t", "--tag"):
            private = _private_ref(state, value_)
            state.images[_norm(value_)] = private
            out += ["-t", private]
        elif a in ("-f", "--file"):
            dockerfile = value_
        elif a == "--push" or (a in ("-o", "--output") and "registry" in value_):
            raise Refused("pushing from a build")
        elif a in ("-o", "--output"):
            out += [a, value_]
            dest = _output_dest(value_)
            if dest is not None:
                files_out = True
                _check_host_path(state, dest)
                state.outputs.append(os.path.abspath(dest))
        elif a == "--cache-from":
            out += ["--cache-from", map_image(state, value_)]
        elif a == "--build-arg" and "=" in value_:
            # `FROM ${TOOLCHAIN}` with --build-arg TOOLCHAIN=<an image this session built>
            arg, _, ref = value_.partition("=")
            out += ["--build-arg", f"{arg}={map_image(state, ref) if ref else ref}"]
        elif not a.startswith("-") or a == "-":
            context = a
            i += 1
            continue
        else:
            out += [a, value_] if (takes or (a.startswith("--") and eq)) and value_ != "" else [a]
            if a.startswith("--") and eq and value_ == "":
                out[-1] = f"{a}="
        i += 2 if takes else 1
    if context is None:
        raise Refused("docker build without a context")
    if context != "-":
        _check_host_path(state, context)
    source = dockerfile or os.path.join(context, "Dockerfile")
    if dockerfile != "-" and not (context == "-" and dockerfile is None and _dockerfile_on_stdin()):
        out += ["-f", _mapped_dockerfile(state, source)]
    # --force-rm: the classic builder otherwise keeps the container of a step that failed.
    if files_out:
        # Files, not an image: there is no id to write (the client fails if asked for one).
        return ["build", "--force-rm", *out, context]
    iid = os.path.join(state.scratch or state.sandbox, f"iid-{len(state.image_ids)}-{os.getpid()}")
    state.image_ids.append(iid)
    return ["build", "--force-rm", "--iidfile", iid, *out, context]


def _output_dest(value: str) -> str | None:
    """Where `--output VALUE` writes on the host: `DIR`, `type=local,dest=DIR` or
    `type=tar,dest=FILE` (`-` is stdout); None for outputs that stay in the engine."""
    if "=" not in value:
        return None if value == "-" else value
    fields = dict(part.partition("=")[::2] for part in value.split(","))
    if fields.get("type", "local") not in ("local", "tar"):
        return None
    dest = fields.get("dest")
    return None if dest in (None, "-") else dest


def _dockerfile_on_stdin() -> bool:
    """`docker build - < Dockerfile`: standard input is a file that is not a tar archive (a
    pipe is the tar stream of `docker run ... | docker build -`)."""
    import stat

    try:
        if not stat.S_ISREG(os.fstat(0).st_mode):
            return False
        return os.pread(0, 5, 257) != b"ustar"
    except OSError:
        return False


def _mapped_dockerfile(state: State, path: str) -> str:
    """The Dockerfile, with references to images this session built moved to their new names."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return path
    if not state.images:
        return path

    def sub_ref(m: re.Match[str]) -> str:
        return m.group(1) + map_image(state, m.group(2))

    new = re.sub(r"(?im)^(\s*FROM\s+(?:--\S+\s+)*)(\S+)", sub_ref, text)
    new = re.sub(r"(--from=)(\S+)", lambda m: m.group(1) + map_image(state, m.group(2)), new)
    if new == text:
        return path
    # Beside the original, so `<Dockerfile>.dockerignore` applies; a Dockerfile from outside the
    # project copy gets its mapped copy in the scratch directory instead.
    mapped = f"{path}.mv-{state.token}"
    if not _inside(state, path) and state.scratch:
        mapped = os.path.join(state.scratch, f"Dockerfile.{len(state.image_ids)}.mv-{state.token}")
    with open(mapped, "w", encoding="utf-8") as f:
        f.write(new)
    ignore = path + ".dockerignore"
    if os.path.exists(ignore):
        with open(ignore, encoding="utf-8") as src, \
                open(mapped + ".dockerignore", "w", encoding="utf-8") as dst:
            dst.write(src.read())
    return mapped


def _rewrite_run(state: State, sub: str, rest: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(rest) and rest[i].startswith("-"):
        a = rest[i]
        if len(a) > 1 and a[1] != "-" and set(a[1:]) <= RUN_BOOL_LETTERS:
            out.append(a)
            i += 1
            continue
        name, eq, value = a.partition("=")
        if a.startswith("--") and eq:
            opt, val, step = name, value, 1
        elif a in RUN_WITH_ARG:
            opt, val, step = a, rest[i + 1] if i + 1 < len(rest) else "", 2
        else:
            out.append(a)
            i += 1
            continue
        if opt == "--name":
            private = f"{val}-mv-{state.token}"
            state.containers[val] = private
            state.created.append(private)
            val = private
        elif opt in ("-v", "--volume"):
            host, sep, tail = val.partition(":")
            if sep and host.startswith(("/", ".", "~")):
                _check_host_path(state, host)
            elif sep and host:
                val = f"{state.volumes.setdefault(host, f'{host}-mv-{state.token}')}:{tail}"
        elif opt == "--mount":
            fields = dict(p.partition("=")[::2] for p in val.split(","))
            src = fields.get("source") or fields.get("src") or ""
            if fields.get("type", "volume") == "bind":
                _check_host_path(state, src)
        elif opt == "--volumes-from":
            val = map_container(state, val)
        out += [opt, val]
        i += step
    if i >= len(rest):
        raise Refused(f"docker {sub} without an image")
    return [sub, "--label", f"migrator.verify={state.token}", *out, map_image(state, rest[i]),
            *rest[i + 1 :]]


def rewrite(state: State, args: list[str]) -> tuple[list[str] | None, str]:
    """The arguments to run instead (None: do nothing and succeed), and the subcommand."""
    state.log.append(list(args))
    globals_, sub, rest = split_command(args)
    if any(g in ("-H", "--host", "--context", "-c", "--config") or
           g.startswith(("--host=", "--context=", "--config=")) for g in globals_):
        raise Refused("docker global options that pick another engine or config")
    if sub in ("build", "buildx build"):
        return _rewrite_build(state, rest), "build"
    if sub in ("create", "run"):
        return _rewrite_run(state, sub, rest), sub
    if sub in ("exec", "start", "export", "commit", "attach", "restart", "pause", "unpause"):
        return _rewrite_container_op(state, sub, rest), sub
    if sub in _REMOVE:
        return _rewrite_remove(state, sub, rest), sub
    if sub in ("push", "login", "logout"):
        if sub == "push":
            state.pushed.extend(a for a in rest if not a.startswith("-"))
        return None, sub
    handler = _HANDLERS.get(sub)
    if handler is not None:
        return handler(state, rest), sub
    if sub in _PASS_THROUGH:
        return [*sub.split(), *[map_container(state, map_image(state, a)) for a in rest]], sub
    raise Refused(f"docker {sub or '(no subcommand)'} is not allowed during verification")


def _rewrite_cp(state: State, rest: list[str]) -> list[str]:
    out = []
    for a in rest:
        if a in CP_FLAGS:
            out.append(a)
            continue
        head, sep, tail = a.partition(":")
        if sep and "/" not in head and not a.startswith((".", "/")):
            out.append(f"{map_container(state, head)}:{tail}")
        else:
            if a != "-":
                _check_host_path(state, a)
            out.append(a)
    return ["cp", *out]


def _rewrite_container_op(state: State, sub: str, rest: list[str]) -> list[str]:
    mapped = [map_container(state, a) if not a.startswith("-") else a for a in rest]
    if sub == "commit":
        raise Refused("docker commit")
    if not any(a in state.containers.values() or a in state.created for a in mapped):
        raise Refused(f"docker {sub} of a container this script did not create")
    return [sub, *mapped]


def _rewrite_remove(state: State, sub: str, rest: list[str]) -> list[str] | None:
    """`rm`, `rmi`, `stop`, `volume rm` ...: only of what this session made."""
    mine = set(state.containers.values()) | set(state.created) | set(state.images.values()) \
        | set(state.volumes.values())
    flags: list[str] = []
    names: list[str] = []
    i = 0
    while i < len(rest):
        if rest[i] in _REMOVE_WITH_VALUE and i + 1 < len(rest):
            flags += rest[i : i + 2]  # `stop -t 1`, `kill -s TERM`
            i += 2
            continue
        (flags if rest[i].startswith("-") else names).append(rest[i])
        i += 1
    targets = [(map_image(state, a) if sub == "rmi" else
                state.volumes.get(a, a) if sub == "volume rm" else map_container(state, a))
               for a in names]
    keep = [t for t in targets if t in mine]
    if not keep:
        return None  # nothing of the session's: leave the engine alone
    return [*sub.split(), *flags, *keep]


def _rewrite_tag(state: State, rest: list[str]) -> list[str]:
    src, dst = [a for a in rest if not a.startswith("-")][:2]
    private = _private_ref(state, dst)
    state.images[_norm(dst)] = private
    return ["tag", map_image(state, src), private]


def _rewrite_pull(state: State, rest: list[str]) -> list[str]:
    ref = next((a for a in rest if not a.startswith("-")), "")
    return ["image", "inspect", "--format", "{{.Id}}", map_image(state, ref)]


def _rewrite_volume_create(state: State, rest: list[str]) -> list[str]:
    names = [a for a in rest if not a.startswith("-")]
    new = [state.volumes.setdefault(n, f"{n}-mv-{state.token}") for n in names]
    return ["volume", "create", *new]


_HANDLERS: dict[str, Callable[[State, list[str]], list[str]]] = {
    "cp": _rewrite_cp, "tag": _rewrite_tag, "pull": _rewrite_pull,
    "volume create": _rewrite_volume_create,
}


def main(prog: str, args: list[str]) -> int:
    if prog == "sudo":
        while args and args[0].startswith("-"):
            args = args[2:] if args[0] in ("-u", "-g", "-C", "-h", "-p") else args[1:]
        if args and args[0] == "-E":
            args = args[1:]
        return subprocess.call(args) if args else 0
    state_file = os.environ["MIGRATOR_SHIM_STATE"]
    real = os.environ["MIGRATOR_SHIM_DOCKER"]
    try:
        with locked_state(state_file) as state:
            new, sub = rewrite(state, args)
    except Refused as exc:
        print(f"migrator verify: refused: {exc}", file=sys.stderr)
        return REFUSED
    except (ValueError, IndexError) as exc:
        print(f"migrator verify: cannot read docker arguments {args}: {exc}", file=sys.stderr)
        return REFUSED
    if new is None:
        return 0
    if sub in ("create", "run") and ("-d" in new or "--detach" in new or sub == "create"):
        done = subprocess.run([real, *new], stdout=subprocess.PIPE)
        cid = done.stdout.decode().strip().splitlines()[-1:] if done.returncode == 0 else []
        if cid:
            with locked_state(state_file) as state:
                state.created.append(cid[0])
        sys.stdout.buffer.write(done.stdout)
        return done.returncode
    return subprocess.call([real, *new])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
