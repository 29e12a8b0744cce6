"""Calls in a Python build script: the library calls whose results or effects migrator knows.

Commands (`subprocess.*`, `os.system`, invoke's `c.run`, nox's `session.run`) become `Command`s
(string commands through the shell reader, on the string's value mapped back into the file);
file operations (`os.remove`, `shutil.copy`, `os.makedirs`, `os.chmod` ...) become the host
commands the shell forms would be; value functions (`os.path.join`, `pathlib.Path`,
`os.environ.get`, `shlex.split`, `argparse` defaults) give values; a function of the script is
followed with its arguments. Anything else is an unknown value.
"""

from __future__ import annotations

import itertools
import posixpath
import shlex
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import libcst as cst

from migrator.model import Command, Redirect, Span, Unsupported, Word
from migrator.readers.python_values import Obj, Str, join, normpath, path_join, whole
from migrator.readers.words import host_path

if TYPE_CHECKING:
    from migrator.readers.python import Frame
    from migrator.readers.python_eval import Evaluator

_RUNNERS = {"subprocess.run", "subprocess.call", "subprocess.check_call",
            "subprocess.check_output", "subprocess.Popen", "subprocess.getoutput",
            "subprocess.getstatusoutput", "os.system", "os.popen"}
_STRING_ONLY = {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput"}
_QUIET = {"print", "logging.info", "logging.debug", "logging.warning", "logging.error", "len",
          "isinstance", "sys.exit", "exit"}


def call(ev: Evaluator, node: cst.Call, frame: Frame) -> Any:
    q = ev.qualname(node.func)
    ev.refuse_dynamic(q, node)
    if q in _QUIET or (q or "").startswith(("logging.", "log.", "logger.")):
        return None
    base = ev.value(node.func.value, frame) if isinstance(node.func, cst.Attribute) else None
    args, kwargs = _arguments(ev, node, frame)
    if isinstance(node.func, cst.Name):
        fn = ev.lookup(node.func, frame)
        if isinstance(fn, Obj) and fn.kind == "function":
            return ev.reader.call_function(fn.data["def"], args, kwargs, node, frame)
        if isinstance(fn, Obj) and fn.kind == "project":
            return fn
    if isinstance(base, Obj) and isinstance(node.func, cst.Attribute):
        from migrator.readers.python_sdk import method

        return method(ev, node, frame, base, node.func.attr.value, args, kwargs)
    if isinstance(base, Str) and isinstance(node.func, cst.Attribute):
        done = _str_method(ev, node, base, node.func.attr.value, args, kwargs)
        if done is not None:
            return done
    if q in _RUNNERS:
        return run_command(ev, node, frame, q, args, kwargs)
    if q is not None:
        done = _library(ev, node, frame, q, args, kwargs)
        if done is not None:
            return done
    return Str.unknown(ev.src.code(node), *ev._range(node))


def _arguments(ev: Evaluator, node: cst.Call, frame: Frame) -> tuple[list[Any], dict[str, Any]]:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for a in node.args:
        v = ev.value(a.value, frame)
        if a.keyword is not None:
            kwargs[a.keyword.value] = v
        elif a.star == "*" and isinstance(v, (tuple, list)):
            args.extend(v)
        elif a.star == "**" and isinstance(v, dict):
            kwargs.update(v)
        else:
            args.append(v)
    return args, kwargs


def arg_node(node: cst.Call, index: int, keyword: str | None = None) -> cst.BaseExpression | None:
    positional = [a for a in node.args if a.keyword is None and not a.star]
    if keyword is not None:
        for a in node.args:
            if a.keyword is not None and a.keyword.value == keyword:
                return a.value
    return positional[index].value if 0 <= index < len(positional) else None


# ------------------------------------------------------------------ commands


def word(ev: Evaluator, v: Any, node: cst.CSTNode | None, split: bool = False) -> Word:
    """A command word for a value: its span is the element written in the call, or where the
    value's text was written (a list built elsewhere)."""
    if isinstance(v, Obj) and v.kind == "project":
        raise Unsupported(v.data["loc"], f"a command's value comes from the project's own "
                                         f"module {v.data['module']}, which migrator does not run")
    s = v if isinstance(v, Str) else ev.text_of(v, node) if node is not None else Str.unknown(
        "?")
    if node is not None and not split:
        span = ev.src.span(node)
    elif s.starts:
        span = _quoted(ev.src.text, Span(min(s.starts), max(s.ends)))
    else:
        span = Span(0, 0)
    return Word(ev.src.text[span.start : span.end], s.value, span, s.known, split)


def _quoted(text: str, span: Span) -> Span:
    """The whole string literal around a literal's characters."""
    a, b = span.start, span.end
    if a > 0 and b < len(text) and text[a - 1] == text[b] and text[b] in "'\"":
        a, b = a - 1, b + 1
        while a > 0 and text[a - 1] in "bBrRuUfF":
            a -= 1
    return Span(a, b)


def argv_words(ev: Evaluator, value: Any, node: cst.BaseExpression | None) -> list[Word]:
    if isinstance(node, (cst.List, cst.Tuple)) and not any(
            isinstance(e, cst.StarredElement) for e in node.elements):
        return [word(ev, v, e.value) for v, e in zip(value, node.elements, strict=False)]
    items = value if isinstance(value, (tuple, list)) else (value,)
    # Built elsewhere (a variable, `*args`): each word where its text was written.
    return [word(ev, v, None) if isinstance(v, Str) and v.starts else
            word(ev, v, node, split=True) for v in items]


def make_command(ev: Evaluator, frame: Frame, argv: list[Word], node: cst.CSTNode,
                 redirects: tuple[Redirect, ...] = (), pipe: tuple[int, int] | None = None,
                 cwd: str | None = None) -> Command:
    if len(argv) > 2 and argv[0].value == "docker" and argv[1].value == "build":
        for flag, value in itertools.pairwise(argv):
            if flag.value in ("-f", "--file") and not value.known:
                raise Unsupported(ev.src.loc(node), f"the Dockerfile path {value.raw} is "
                                                    "computed when the script runs; migrator "
                                                    "does not run it")
    stmt = frame.stmt if frame.stmt is not None else node
    cmd = Command(tuple(argv), ev.src.loc(node), ev.src.span(node), ev.src.line_span(stmt),
                  cwd or frame.cwd, redirects, pipe, frame.calls, frame.conditional,
                  file=ev.src.path, captured=frame.captured)
    ev.reader.record(cmd)
    return cmd


def run_command(ev: Evaluator, node: cst.Call, frame: Frame, q: str, args: list[Any],
                kwargs: dict[str, Any]) -> Any:
    command = kwargs.get("args", args[0] if args else None)
    cmd_node = arg_node(node, 0, "args")
    cwd = frame.cwd
    if isinstance(kwargs.get("cwd"), Str):
        cwd = host_path(kwargs["cwd"].value, frame.cwd).rstrip("/").removesuffix("/.")
    shell = q in _STRING_ONLY or kwargs.get("shell") is True or isinstance(command, Str)
    if shell and isinstance(command, Str):
        cmds = shell_string(ev, frame, command, cwd)
    elif isinstance(command, (tuple, list)):
        redirects = _redirects(ev, node, kwargs)
        pipe = _pipe_from(ev, kwargs.get("stdin"))
        cmds = [make_command(ev, frame, argv_words(ev, command, cmd_node), node, redirects,
                             pipe, cwd=cwd)]
    else:
        return Str.unknown(ev.src.code(node), *ev._range(node))
    output = Str.unknown(frame.captured or "output", *ev._range(node))
    if q == "subprocess.Popen":
        return Obj("proc", {"commands": cmds, "attrs": {"stdout": Obj("pipe", {"of": cmds})}})
    if q in ("subprocess.check_output", "subprocess.getoutput", "os.popen"):
        return output
    if q == "subprocess.run":
        return Obj("completed", {"attrs": {"stdout": output, "returncode": 0}})
    return 0


def _pipe_from(ev: Evaluator, stdin: Any) -> tuple[int, int] | None:
    """`run([...], stdin=p.stdout)` after `p = Popen([...], stdout=PIPE)`: one pipeline, the
    Popen command first (`docker cp c:/out - | tar -x -C dist`)."""
    if not (isinstance(stdin, Obj) and stdin.kind == "pipe" and stdin.data.get("of")):
        return None
    producer: Command = stdin.data["of"][-1]
    commands = ev.reader.commands
    if producer.pipe is None:
        ev.reader.pipes += 1
        pid = 10_000 + ev.reader.pipes
        commands[commands.index(producer)] = replace(producer, pipe=(pid, 0))
        return (pid, 1)
    return (producer.pipe[0], producer.pipe[1] + 1)


def _redirects(ev: Evaluator, node: cst.Call, kwargs: dict[str, Any]) -> tuple[Redirect, ...]:
    out = kwargs.get("stdout")
    if isinstance(out, Obj) and out.kind == "file" and isinstance(out.data.get("path"), Str):
        path = out.data["path"]
        op = ">>" if "a" in out.data.get("mode", "") else ">"
        return (Redirect(op, word(ev, path, arg_node(node, -1, "stdout"))),)
    return ()


def shell_string(ev: Evaluator, frame: Frame, s: Str, cwd: str) -> list[Command]:
    """A string command, read by the shell reader on its value; words point into the file."""
    from migrator.readers.shell import ShellReader, _Frag, initial_frame

    reader = ShellReader(ev.src.path, ev.src.text, lines=ev.src.lines)
    reader.read(_Frag(s.value, 0, s.starts, s.ends), initial_frame(cwd=cwd))
    out = []
    for c in reader.commands:
        c = replace(c, calls=(*frame.calls, *c.calls), conditional=frame.conditional or
                    c.conditional, captured=c.captured or frame.captured, file=ev.src.path)
        ev.reader.record(c)
        out.append(c)
    ev.reader.problems.extend(reader.problems)
    return out


# ------------------------------------------------------------------ library values


def environ(ev: Evaluator, key: Str, default: Any, node: cst.CSTNode) -> Str:
    """`os.environ.get(NAME, default)`: `--set NAME=VALUE`, else what the script set, else the
    default, else unknown."""
    a, b = ev._range(node)
    if key.value in ev.src.overrides:
        return Str.at(ev.src.overrides[key.value], a, b)
    if key.value in ev.environ:
        return ev.environ[key.value].moved(a, b)
    if isinstance(default, Str):
        return default.moved(a, b)
    return Str.unknown(key.value, a, b)


def path_attribute(p: Str, attr: str) -> Str:
    value = p.value.rstrip("/")
    if attr == "parent":
        return whole(p, posixpath.dirname(value) or ".")
    name = posixpath.basename(value)
    if attr == "name":
        return whole(p, name)
    stem, dot, suffix = name.rpartition(".")
    return whole(p, (stem if dot else name) if attr == "stem" else (dot + suffix if dot else ""))


def _str_method(ev: Evaluator, node: cst.Call, s: Str, name: str, args: list[Any],
                kwargs: dict[str, Any]) -> Any:
    from migrator.readers.python_values import format_

    if name == "format":
        return format_(s, args, kwargs) or Str.unknown(ev.src.code(node), *ev._range(node))
    if name == "join" and args and isinstance(args[0], Obj):
        return args[0]  # b"".join(stream): the stream's bytes
    if name == "join" and args and isinstance(args[0], (tuple, list)):
        parts = [ev.text_of(p, node) for p in args[0]]
        return join(parts, s.value) if parts else Str.at("", *ev._range(node))
    if name in ("strip", "rstrip", "lstrip", "decode", "encode", "resolve", "absolute",
                "expanduser", "as_posix"):
        if not s.known or not args:
            return s if name not in ("strip", "rstrip", "lstrip") or not s.known else whole(
                s, getattr(s.value, name)())
        return whole(s, getattr(s.value, name)(*[a.value for a in args if isinstance(a, Str)]))
    if name in ("lower", "upper", "replace", "removesuffix", "removeprefix") and s.known:
        try:
            return whole(s, getattr(s.value, name)(*[a.value for a in args]))
        except (TypeError, AttributeError):
            return None
    if name == "split" and s.known and not args:
        return _split_words(s)
    if name == "joinpath":
        return path_join([s, *[a for a in args if isinstance(a, Str)]])
    if name == "with_suffix" and args and isinstance(args[0], Str):
        stem = s.value.rsplit(".", 1)[0] if "." in posixpath.basename(s.value) else s.value
        return whole(s, stem + args[0].value)
    return None


def _split_words(s: Str) -> tuple[Str, ...]:
    """`shlex.split`/`str.split` of a known string, each field keeping its characters' places."""
    try:
        fields = shlex.split(s.value) if s.value else []
    except ValueError:
        return (s,)
    out, at = [], 0
    for f in fields:
        i = s.value.find(f, at)
        if i < 0:
            out.append(whole(s, f))
            continue
        out.append(Str(f, s.starts[i : i + len(f)], s.ends[i : i + len(f)], s.known))
        at = i + len(f)
    return tuple(out)


def _library(ev: Evaluator, node: cst.Call, frame: Frame, q: str, args: list[Any],
             kwargs: dict[str, Any]) -> Any:
    strs = [a for a in args if isinstance(a, Str)]
    if q in ("os.environ.get", "os.getenv") and strs:
        return environ(ev, strs[0], args[1] if len(args) > 1 else kwargs.get("default"), node)
    if q == "os.environ.setdefault" and len(strs) == 2:
        ev.environ.setdefault(strs[0].value, strs[1])
        return ev.environ[strs[0].value]
    if q in ("os.path.join", "posixpath.join") and len(strs) == len(args):
        return path_join(strs)
    if q in ("pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "Path"):
        return path_join(strs) if strs and len(strs) == len(args) else (
            Str.at(".", *ev._range(node)) if not args else None)
    if q in ("os.getcwd", "pathlib.Path.cwd"):
        return Str.at(frame.cwd, *ev._range(node))
    if q in ("os.path.abspath", "os.path.realpath", "os.path.normpath") and strs:
        p = strs[0]
        return normpath(p) if p.value.startswith("/") or q.endswith("normpath") else whole(
            p, host_path(p.value, frame.cwd))
    if q in ("os.path.dirname", "os.path.basename") and strs:
        return path_attribute(strs[0], "parent" if q.endswith("dirname") else "name")
    if q in ("str", "os.fspath", "shlex.quote", "pipes.quote") and len(args) == 1:
        return args[0] if isinstance(args[0], Str) else ev.text_of(args[0], node)
    if q == "shlex.split" and strs:
        return _split_words(strs[0])
    if q == "os.chdir" and strs:
        frame.cwd = host_path(strs[0].value, frame.cwd).rstrip("/").removesuffix("/.")
        return None
    if q == "open" and strs:
        mode = args[1] if len(args) > 1 else kwargs.get("mode", Str.at("r", 0, 0))
        return Obj("file", {"path": strs[0], "mode": mode.value if isinstance(mode, Str)
                            else "r", "node": arg_node(node, 0, "file")})
    if q in ("argparse.ArgumentParser",):
        return Obj("argparser", {"defaults": {}})
    from migrator.readers.python_files import file_operation
    from migrator.readers.python_sdk import library

    done = file_operation(ev, node, frame, q, args)
    if done is not None:
        return done
    return library(ev, node, frame, q, args, kwargs)
