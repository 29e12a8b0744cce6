"""The Docker SDK for Python, argparse, invoke and nox, as the reader sees their objects.

Each SDK call becomes the docker CLI command that does the same (`client.images.build(path=,
dockerfile=, tag=, buildargs=)` is `docker build`, `containers.create/run` are `docker create/
run`, `container.get_archive(p)` unpacked with `tarfile` is `docker cp c:p - | tar -x -C dir`,
written to a file it is `docker cp c:p - > file`, `container.remove()` is `docker rm`), its words
pointing at the arguments of the Python call, so inference treats both alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst

from migrator.model import Command, Redirect, Word
from migrator.readers.python_calls import (
    arg_node,
    argv_words,
    make_command,
    shell_string,
    word,
)
from migrator.readers.python_files import _synthetic
from migrator.readers.python_values import Obj, Str

if TYPE_CHECKING:
    from migrator.readers.python import Frame
    from migrator.readers.python_eval import Evaluator

_CLIENTS = {"docker.from_env", "docker.DockerClient", "docker.client.from_env",
            "docker.APIClient", "docker.Client"}


def library(ev: Evaluator, node: cst.Call, frame: Frame, q: str, args: list[Any],
            kwargs: dict[str, Any]) -> Any:
    if q in _CLIENTS:
        if q in ("docker.APIClient", "docker.Client"):
            from migrator.model import Unsupported

            raise Unsupported(ev.src.loc(node), "the low-level docker.APIClient is not "
                                                "supported; use docker.from_env()")
        return Obj("docker-client")
    if q == "io.BytesIO":
        return args[0] if args else Obj("buffer")
    if q == "tarfile.open":
        source = kwargs.get("fileobj", kwargs.get("name", args[0] if args else None))
        return Obj("tar", {"source": source, "node": node})
    return None


def method(ev: Evaluator, node: cst.Call, frame: Frame, base: Obj, name: str,
           args: list[Any], kwargs: dict[str, Any]) -> Any:
    kind = base.kind
    if kind == "attribute" and isinstance(base.data.get("of"), Obj) and \
            base.data["of"].kind == "docker-client":
        group = base.data["name"]
        if group == "images" and name == "build":
            return _build(ev, node, frame, kwargs)
        if group == "containers" and name in ("create", "run"):
            return _container(ev, node, frame, name, args, kwargs)
        if group == "containers" and name == "get" and args:
            return Obj("container", {"name": args[0]})
        if group == "images" and name == "remove":
            return _simple(ev, node, frame, "rmi", args[:1])
    if kind == "container":
        return _container_method(ev, node, frame, base, name, args, kwargs)
    if kind in ("argparser", "namespace"):
        return _argparse(ev, base, name, args, kwargs)
    if kind == "invoke-context" and name in ("run", "sudo") and args and isinstance(args[0],
                                                                                      Str):
        return shell_string(ev, frame, args[0], frame.cwd)
    if kind == "nox-session" and name == "run" and args:
        argv = [word(ev, a, arg.value) for a, arg in zip(args, node.args, strict=False)
                if arg.keyword is None]
        return make_command(ev, frame, argv, node)
    if kind == "file" and name == "write" and args:
        return _write(ev, node, frame, base, args[0])
    if kind == "tar" and name in ("extractall", "extract"):
        dest = kwargs.get("path", args[-1] if args and name == "extractall" else None)
        return _untar(ev, node, frame, base, dest)
    return Obj("result", {"of": base, "name": name})


def _docker(ev: Evaluator, node: cst.Call, sub: str) -> list[Word]:
    func = node.func
    at = func.attr if isinstance(func, cst.Attribute) else func
    return [_synthetic(ev, "docker", func), _synthetic(ev, sub, at)]


def _option(ev: Evaluator, node: cst.Call, key: str, flag: str, value: Any) -> list[Word]:
    where = arg_node(node, -1, key)
    return [_synthetic(ev, flag, where or node), word(ev, value, where)]


def _build(ev: Evaluator, node: cst.Call, frame: Frame, kwargs: dict[str, Any]) -> Any:
    argv = _docker(ev, node, "build")
    path = kwargs.get("path", Str.at(".", 0, 0))
    tag = kwargs.get("tag")
    if tag is not None:
        argv += _option(ev, node, "tag", "-t", tag)
    dockerfile = kwargs.get("dockerfile")
    if isinstance(dockerfile, Str) and isinstance(path, Str):
        # The SDK reads `dockerfile` relative to the context, the CLI's -f relative to the cwd.
        where = arg_node(node, -1, "dockerfile")
        value = dockerfile if dockerfile.value.startswith("/") else Str(
            f"{path.value.rstrip('/')}/{dockerfile.value}", (), (), path.known and
            dockerfile.known)
        w = word(ev, dockerfile, where)
        argv += [_synthetic(ev, "-f", where or node), Word(w.raw, value.value, w.span,
                                                           value.known)]
    elif dockerfile is not None:
        argv += _option(ev, node, "dockerfile", "-f", dockerfile)
    argv += _build_args(ev, node, kwargs.get("buildargs"))
    for key, flag in (("target", "--target"), ("platform", "--platform")):
        if key in kwargs:
            argv += _option(ev, node, key, flag, kwargs[key])
    for key, flag in (("nocache", "--no-cache"), ("pull", "--pull")):
        if kwargs.get(key) is True:
            argv.append(_synthetic(ev, flag, arg_node(node, -1, key) or node))
    argv.append(word(ev, path, arg_node(node, -1, "path")))
    make_command(ev, frame, argv, node)
    image = Obj("image", {"name": tag if isinstance(tag, Str) else Str.unknown("image")})
    return (image, Obj("logs"))


def _build_args(ev: Evaluator, node: cst.Call, value: Any) -> list[Word]:
    where = arg_node(node, -1, "buildargs")
    if not isinstance(value, dict):
        return []
    out: list[Word] = []
    entries = [e for e in where.elements if isinstance(e, cst.DictElement)] if isinstance(
        where, cst.Dict) else []
    for i, (k, v) in enumerate(value.items()):
        text = ev.text_of(v, where) if where is not None else Str.at("", 0, 0)
        el = entries[i] if i < len(entries) else None
        span_node = el if el is not None else where
        out.append(_synthetic(ev, "--build-arg", span_node or node))
        w = word(ev, text, span_node)
        out.append(Word(w.raw, f"{k}={text.value}", w.span, text.known, el is None))
    return out


def _container(ev: Evaluator, node: cst.Call, frame: Frame, sub: str, args: list[Any],
               kwargs: dict[str, Any]) -> Any:
    argv = _docker(ev, node, sub)
    if sub == "run" and kwargs.get("remove") is True:
        argv.append(_synthetic(ev, "--rm", arg_node(node, -1, "remove") or node))
    if sub == "run" and kwargs.get("detach") is True:
        argv.append(_synthetic(ev, "-d", arg_node(node, -1, "detach") or node))
    for key, flag in (("name", "--name"), ("working_dir", "-w"), ("user", "-u"),
                      ("entrypoint", "--entrypoint"), ("network", "--network"),
                      ("platform", "--platform")):
        if isinstance(kwargs.get(key), Str):
            argv += _option(ev, node, key, flag, kwargs[key])
    argv += _volumes(ev, node, kwargs.get("volumes"))
    env = kwargs.get("environment")
    items = env.items() if isinstance(env, dict) else ((None, e) for e in env) if isinstance(
        env, (tuple, list)) else ()
    where = arg_node(node, -1, "environment")
    for k, v in items:
        text = ev.text_of(v, where) if where is not None else Str.at("", 0, 0)
        argv += [_synthetic(ev, "-e", where or node),
                 Word(ev.src.code(where) if where else "", f"{k}={text.value}" if k else
                      text.value, ev.src.span(where) if where else node_span(ev, node),
                      text.known)]
    image = kwargs.get("image", args[0] if args else None)
    argv.append(word(ev, image, arg_node(node, 0, "image")))
    command = kwargs.get("command", args[1] if len(args) > 1 else None)
    if command is not None:
        from migrator.readers.python_calls import _split_words

        cmd_node = arg_node(node, 1, "command")
        if isinstance(command, Str):
            argv += [word(ev, s, None, split=True) for s in _split_words(command)]
        else:
            argv += argv_words(ev, command, cmd_node)
    cmd = make_command(ev, frame, argv, node)
    detached = sub == "create" or kwargs.get("detach") is True
    if not detached:
        return Obj("output", {"command": cmd})
    name = kwargs.get("name")
    return Obj("container", {"name": name if isinstance(name, Str) else Str.unknown(
        frame.captured or "container")})


def node_span(ev: Evaluator, node: cst.CSTNode) -> Any:
    return ev.src.span(node)


def _volumes(ev: Evaluator, node: cst.Call, value: Any) -> list[Word]:
    where = arg_node(node, -1, "volumes")
    specs: list[Str] = []
    if isinstance(value, dict):
        for host, opts in value.items():
            bind, mode = (opts.get("bind"), opts.get("mode")) if isinstance(opts, dict) else (
                None, None)
            if isinstance(bind, Str):
                text = f"{host}:{bind.value}" + (f":{mode.value}" if isinstance(mode, Str)
                                                 else "")
                specs.append(Str.at(text, 0, 0))
    elif isinstance(value, (tuple, list)):
        specs = [v for v in value if isinstance(v, Str)]
    out = []
    for spec in specs:
        w = word(ev, spec, where)
        out += [_synthetic(ev, "-v", where or node), Word(w.raw, spec.value, w.span, spec.known)]
    return out


def _simple(ev: Evaluator, node: cst.Call, frame: Frame, sub: str, names: list[Any],
            flags: tuple[str, ...] = ()) -> Command:
    argv = _docker(ev, node, sub) + [_synthetic(ev, f, node.func) for f in flags]
    argv += [word(ev, n, node.func, split=True) for n in names]
    return make_command(ev, frame, argv, node)


def _container_method(ev: Evaluator, node: cst.Call, frame: Frame, c: Obj, name: str,
                      args: list[Any], kwargs: dict[str, Any]) -> Any:
    cname = c.data.get("name", Str.unknown("container"))
    if name == "remove":
        return _simple(ev, node, frame, "rm", [cname], ("-f",) if kwargs.get("force") else ())
    if name in ("stop", "kill", "start", "wait"):
        return _simple(ev, node, frame, name, [cname])
    if name == "get_archive" and args and isinstance(args[0], Str):
        stmt = frame.stmt
        archive = Obj("archive", {"container": cname, "path": args[0], "node": node,
                                  "stmt": stmt, "frame": frame})
        return (archive, Obj("stat"))
    if name == "put_archive" and args and isinstance(args[0], Str):
        argv = [*_docker(ev, node, "cp"), _synthetic(ev, "-", node.func),
                Word(ev.src.code(node), f"{cname.value}:{args[0].value}", ev.src.span(node),
                     cname.known and args[0].known)]
        return make_command(ev, frame, argv, node)
    return Obj("result", {"of": c, "name": name})


def _cp_out(ev: Evaluator, archive: Obj, redirects: tuple[Redirect, ...] = (),
            pipe: tuple[int, int] | None = None) -> Command:
    node: cst.Call = archive.data["node"]
    frame: Frame = archive.data["frame"]
    cname, path = archive.data["container"], archive.data["path"]
    src = word(ev, path, arg_node(node, 0))
    argv = [*_docker(ev, node, "cp"),
            Word(src.raw, f"{cname.value}:{path.value}", src.span, cname.known and path.known),
            _synthetic(ev, "-", node.func)]
    saved, frame.stmt = frame.stmt, archive.data["stmt"]
    try:
        return make_command(ev, frame, argv, node, redirects, pipe)
    finally:
        frame.stmt = saved


def _stream(value: Any) -> Obj | None:
    if isinstance(value, Obj) and value.kind == "chunk":
        return value.data["archive"]  # type: ignore[no-any-return]
    if isinstance(value, Obj) and value.kind == "archive":
        return value
    return None


def _write(ev: Evaluator, node: cst.Call, frame: Frame, f: Obj, data: Any) -> Any:
    """`f.write(chunk)` for the chunks of an archive: `docker cp c:p - > file` (once)."""
    archive = _stream(data)
    if archive is not None and isinstance(f.data.get("path"), Str):
        if archive.data.get("written"):
            return None
        archive.data["written"] = True
        target = word(ev, f.data["path"], f.data.get("node"))
        return _cp_out(ev, archive, (Redirect(">", target),))
    if isinstance(data, Obj) and data.kind == "output" and isinstance(f.data.get("path"), Str):
        from dataclasses import replace

        cmd: Command = data.data["command"]
        target = word(ev, f.data["path"], f.data.get("node"))
        new = replace(cmd, redirects=(*cmd.redirects, Redirect(">", target)))
        ev.reader.commands[ev.reader.commands.index(cmd)] = new
    return None


def _untar(ev: Evaluator, node: cst.Call, frame: Frame, tar: Obj, dest: Any) -> Any:
    """`tarfile.open(fileobj=<archive>).extractall(dir)`: `docker cp c:p - | tar -x -C dir`;
    `tarfile.open("x.tar").extractall(dir)`: `tar -x -f x.tar -C dir`."""
    archive = _stream(tar.data.get("source"))
    d = dest if isinstance(dest, Str) else Str.at(".", 0, 0)
    dest_words = [_synthetic(ev, "-C", node.func), word(ev, d, arg_node(node, 0, "path"))]
    if archive is not None:
        ev.reader.pipes += 1
        pid = 10_000 + ev.reader.pipes
        _cp_out(ev, archive, pipe=(pid, 0))
        argv = [_synthetic(ev, "tar", node.func), _synthetic(ev, "-x", node.func), *dest_words]
        return make_command(ev, frame, argv, node, pipe=(pid, 1))
    source = tar.data.get("source")
    if isinstance(source, Str):
        argv = [_synthetic(ev, "tar", node.func), _synthetic(ev, "-x", node.func),
                _synthetic(ev, "-f", node.func), word(ev, source, None, split=True),
                *dest_words]
        return make_command(ev, frame, argv, node)
    return None


def _argparse(ev: Evaluator, p: Obj, name: str, args: list[Any],
              kwargs: dict[str, Any]) -> Any:
    defaults: dict[str, Any] = p.data.setdefault("defaults", {})
    if name == "add_argument" and args:
        flags = [a.value for a in args if isinstance(a, Str)]
        long = next((f for f in flags if f.startswith("--")), flags[0] if flags else "")
        dest = kwargs["dest"].value if isinstance(kwargs.get("dest"), Str) else long.lstrip(
            "-").replace("-", "_")
        action = kwargs.get("action")
        default = kwargs.get("default")
        if default is None and isinstance(action, Str) and action.value == "store_true":
            default = False
        defaults[dest] = default if default is not None else (
            None if long.startswith("-") else Str.unknown(dest))
        return None
    if name in ("add_argument_group", "add_mutually_exclusive_group"):
        return p
    if name == "set_defaults":
        defaults.update(kwargs)
        return None
    if name == "parse_args":
        return Obj("namespace", {"attrs": dict(defaults)})
    if name == "parse_known_args":
        return (Obj("namespace", {"attrs": dict(defaults)}), ())
    return Obj("result", {"of": p, "name": name})
