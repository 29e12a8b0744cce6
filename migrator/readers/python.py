"""Read a Python build script (`build.py`, invoke's `tasks.py`, a `noxfile.py`) into `Command`s.

libcst parses; this module walks the module in execution order the way the interpreter would
(module constants, `if __name__ == "__main__"`, functions called with their arguments, loops
over literal lists, branches the values decide) without running anything, and records each
command the script starts (`subprocess`, `os.system`, invoke's `c.run`, nox's `session.run`,
the Docker SDK) as the same `Command` value the shell reader produces, with spans into the
Python file. Expression values: `python_eval`; library calls: `python_calls`; the SDK:
`python_sdk`. It only reads; libcst is imported only when a Python build script is read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import libcst as cst

from migrator.model import PROJECT, Command, Problem, Script, Unsupported
from migrator.readers.python_source import Source, parse
from migrator.readers.python_values import Obj, Str


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


@dataclass
class Frame:
    """Mutable walking state of one function call (or the module)."""

    names: dict[str, Any]
    cwd: str = PROJECT
    calls: tuple[Command, ...] = ()
    conditional: bool = False
    stmt: Any = None  # the statement being run (its lines are what removing a step cuts)
    captured: str | None = None  # the name the current statement assigns a command's output to
    task: str | None = None


class PythonReader:
    """Walks one Python file from its top, recording the commands it would start."""

    def __init__(self, src: Source) -> None:
        from migrator.readers.python_eval import Evaluator

        self.src = src
        self.commands: list[Command] = []
        self.problems: list[Problem] = []
        self.functions: dict[str, cst.FunctionDef] = {}
        self.tasks: list[tuple[str, cst.FunctionDef, str]] = []  # (name, def, "invoke"|"nox")
        self.globals: dict[str, Any] = {
            "__name__": Str.at("__main__", 0, 0),
            "__file__": Str.at(f"{PROJECT}/{src.path}", 0, 0),
        }
        self.aliases: dict[str, str] = {}  # local name -> dotted module or function name
        self.eval = Evaluator(self)
        self.depth = 0
        self.pipes = 0  # pipelines made of SDK calls (an archive unpacked with tarfile)

    # ------------------------------------------------------------ statements

    def body(self, statements: Sequence[cst.CSTNode], frame: Frame) -> None:
        for stmt in statements:
            self.statement(stmt, frame)

    def statement(self, stmt: cst.CSTNode, frame: Frame) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            frame.stmt = stmt
            for small in stmt.body:
                self.small(small, frame)
        elif isinstance(stmt, cst.FunctionDef):
            self.define(stmt, frame)
        elif isinstance(stmt, cst.If):
            self.if_(stmt, frame)
        elif isinstance(stmt, cst.For):
            self.for_(stmt, frame)
        elif isinstance(stmt, cst.With):
            self.with_(stmt, frame)
        elif isinstance(stmt, cst.Try):
            self.try_(stmt, frame)
        elif isinstance(stmt, cst.While):
            self.block(stmt.body, self._cond(frame))
        # class definitions and other statements start no commands

    def block(self, suite: cst.BaseSuite, frame: Frame) -> None:
        if isinstance(suite, cst.IndentedBlock):
            self.body(suite.body, frame)
        elif isinstance(suite, cst.SimpleStatementSuite):
            for small in suite.body:
                self.small(small, frame)

    def small(self, node: cst.CSTNode, frame: Frame) -> None:
        ev = self.eval
        if isinstance(node, cst.Expr):
            ev.value(node.value, frame)
        elif isinstance(node, cst.Assign):
            names = [t.target for t in node.targets]
            frame.captured = _name(names[0]) if len(names) == 1 else None
            value = ev.value(node.value, frame)
            frame.captured = None
            for target in names:
                self.bind(target, value, frame)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            self.bind(node.target, ev.value(node.value, frame), frame)
        elif isinstance(node, cst.AugAssign):
            value = ev.value(cst.BinaryOperation(node.target, _aug_op(node.operator),
                                                 node.value), frame, at=node)
            self.bind(node.target, value, frame)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            self.import_(node, frame)
        elif isinstance(node, cst.Return):
            raise _Return(ev.value(node.value, frame) if node.value is not None else None)

    def bind(self, target: cst.BaseExpression, value: Any, frame: Frame) -> None:
        if isinstance(target, cst.Name):
            frame.names[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            items = value if isinstance(value, (tuple, list)) else None
            for i, el in enumerate(target.elements):
                if isinstance(el.value, cst.StarredElement):
                    continue
                part = items[i] if items is not None and i < len(items) else (
                    Obj("item", {"of": value, "index": i}))
                self.bind(el.value, part, frame)
        elif isinstance(target, cst.Subscript) and self.eval.qualname(
                target.value) == "os.environ":
            # os.environ["X"] = "..." : later reads of X see it
            key = self.eval.value(target.slice[0].slice.value, frame) if isinstance(
                target.slice[0].slice, cst.Index) else None
            if isinstance(key, Str) and isinstance(value, Str):
                self.eval.environ[key.value] = value

    def import_(self, node: cst.Import | cst.ImportFrom, frame: Frame) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                dotted = self.src.code(alias.name)
                local = _name(alias.asname.name) if alias.asname else dotted.split(".")[0]
                if local is None:
                    continue
                self.aliases[local] = dotted if alias.asname else local
                self._project(dotted, local, node, frame)
            return
        if node.relative:
            module = "." * len(node.relative) + (self.src.code(node.module) if node.module
                                                 else "")
        else:
            module = self.src.code(node.module) if node.module else ""
        if isinstance(node.names, cst.ImportStar):
            if self._is_project(module):
                raise Unsupported(self.src.loc(node), f"'from {module} import *' takes names "
                                                      "from the project's own code, which "
                                                      "migrator does not run")
            return
        for alias in node.names:
            name = self.src.code(alias.name)
            local = _name(alias.asname.name) if alias.asname else name
            if local is None:
                continue
            self.aliases[local] = f"{module}.{name}"
            self._project(module, local, node, frame)

    def _is_project(self, module: str) -> bool:
        return module.startswith(".") or module.split(".")[0] in self.src.project_modules

    def _project(self, module: str, local: str, node: cst.CSTNode, frame: Frame) -> None:
        if self._is_project(module):
            frame.names[local] = Obj("project", {"module": module, "loc": self.src.loc(node)})

    def define(self, node: cst.FunctionDef, frame: Frame) -> None:
        self.functions[node.name.value] = node
        frame.names[node.name.value] = Obj("function", {"def": node})
        for dec in node.decorators:
            expr = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
            q = self.eval.qualname(expr)
            if q in ("invoke.task", "invoke.tasks.task"):
                self.tasks.append((node.name.value.replace("_", "-"), node, "invoke"))
            elif q in ("nox.session", "nox.registry.session_decorator"):
                self.tasks.append((_session_name(dec.decorator, node), node, "nox"))

    def _cond(self, frame: Frame) -> Frame:
        return replace(frame, conditional=True)

    def if_(self, node: cst.If, frame: Frame) -> None:
        from migrator.readers.python_values import truth

        known = truth(self.eval.value(node.test, frame))
        if known is True:
            self.block(node.body, frame)
            return
        if known is None:
            self.block(node.body, self._cond(frame))
        orelse = node.orelse
        if isinstance(orelse, cst.If):
            self.if_(orelse, frame if known is False else self._cond(frame))
        elif isinstance(orelse, cst.Else):
            self.block(orelse.body, frame if known is False else self._cond(frame))

    def for_(self, node: cst.For, frame: Frame) -> None:
        items = self.eval.value(node.iter, frame)
        if isinstance(items, Obj) and items.kind == "archive":
            self.bind(node.target, Obj("chunk", {"archive": items}), frame)  # the stream
            self.block(node.body, frame)
        elif isinstance(items, (tuple, list)):
            for item in items:
                self.bind(node.target, item, frame)
                self.block(node.body, frame)
        else:
            self.bind(node.target, Str.unknown(self.src.code(node.target)), frame)
            self.block(node.body, self._cond(frame))

    def with_(self, node: cst.With, frame: Frame) -> None:
        for item in node.items:
            value = self.eval.value(item.item, frame)
            if item.asname is not None:
                self.bind(item.asname.name, value, frame)
        self.block(node.body, frame)

    def try_(self, node: cst.Try, frame: Frame) -> None:
        self.block(node.body, frame)
        for handler in node.handlers:
            self.block(handler.body, self._cond(frame))
        if node.orelse is not None:
            self.block(node.orelse.body, frame)
        if node.finalbody is not None:
            self.block(node.finalbody.body, frame)

    # ------------------------------------------------------------ calls

    def call_function(self, node: cst.FunctionDef, args: list[Any], kwargs: dict[str, Any],
                      site: cst.Call, frame: Frame) -> Any:
        """Run a function of the script with its arguments (defaults where not given)."""
        if self.depth > 20:
            raise Unsupported(self.src.loc(site), f"{node.name.value}() recurses too deeply "
                                                  "to follow")
        names: dict[str, Any] = {}
        params = node.params
        positional = [*params.posonly_params, *params.params]
        for i, p in enumerate(positional):
            if i < len(args):
                names[p.name.value] = args[i]
            elif p.name.value in kwargs:
                names[p.name.value] = kwargs[p.name.value]
            elif p.default is not None:
                names[p.name.value] = self.eval.value(p.default, frame)
            else:
                names[p.name.value] = Str.unknown(p.name.value)
        for p in params.kwonly_params:
            default = self.eval.value(p.default, frame) if p.default is not None else None
            names[p.name.value] = kwargs.get(p.name.value, default)
        if isinstance(params.star_arg, cst.Param):
            names[params.star_arg.name.value] = tuple(args[len(positional):])
        if isinstance(params.star_kwarg, cst.Param):
            taken = {p.name.value for p in (*positional, *params.kwonly_params)}
            names[params.star_kwarg.name.value] = {k: v for k, v in kwargs.items()
                                                   if k not in taken}
        # No call sites are recorded (`Command.calls` stays empty): the editor finds the
        # statements to remove from the spans, whichever function they are in (pyedit).
        inner = Frame({**self.globals, **names}, frame.cwd, (), frame.conditional,
                      task=frame.task)
        inner.names.update(names)
        self.depth += 1
        try:
            self.block(node.body, inner)
        except _Return as ret:
            return ret.value
        finally:
            self.depth -= 1
        return None

    def run_task(self, node: cst.FunctionDef, frame: Frame, done: set[str]) -> None:
        """An invoke task (its `pre` tasks first) or a nox session, as `invoke NAME` or
        `nox -s NAME` runs it: the first parameter is the context / session."""
        if node.name.value in done:
            return
        done.add(node.name.value)
        for dec in node.decorators:
            if isinstance(dec.decorator, cst.Call):
                for arg in dec.decorator.args:
                    pre = [arg.value] if arg.keyword is None else (
                        [e.value for e in arg.value.elements]
                        if arg.keyword.value == "pre" and isinstance(arg.value, (cst.List,
                                                                                 cst.Tuple))
                        else [])
                    for task in pre:
                        if isinstance(task, cst.Name) and task.value in self.functions:
                            self.run_task(self.functions[task.value], frame, done)
        params = [*node.params.posonly_params, *node.params.params]
        kind = "nox-session" if any(t[1] is node and t[2] == "nox" for t in self.tasks) else (
            "invoke-context")
        names: dict[str, Any] = {}
        for i, p in enumerate(params):
            names[p.name.value] = Obj(kind) if i == 0 else (
                self.eval.value(p.default, frame) if p.default is not None
                else Str.unknown(p.name.value))
        inner = Frame({**self.globals, **names}, frame.cwd, task=node.name.value)
        with contextlib.suppress(_Return):
            self.block(node.body, inner)

    def record(self, cmd: Command) -> None:
        self.commands.append(cmd)


def _name(node: cst.CSTNode) -> str | None:
    return node.value if isinstance(node, cst.Name) else None


def _aug_op(op: cst.BaseAugOp) -> cst.BaseBinaryOp:
    return cst.Add() if isinstance(op, cst.AddAssign) else cst.Divide() if isinstance(
        op, cst.DivideAssign) else cst.Modulo() if isinstance(op, cst.ModuloAssign) else (
        cst.Multiply())


def _session_name(dec: cst.BaseExpression, node: cst.FunctionDef) -> str:
    if isinstance(dec, cst.Call):
        for arg in dec.args:
            if arg.keyword is not None and arg.keyword.value == "name" and isinstance(
                    arg.value, cst.SimpleString):
                value = arg.value.evaluated_value
                return value if isinstance(value, str) else node.name.value
    return node.name.value


def read_python(path: str, text: str, project_modules: frozenset[str] = frozenset(),
                overrides: Mapping[str, str] | None = None) -> list[Script]:
    """The scripts one Python file runs: the file itself, or one per invoke task / nox session
    when it only defines tasks."""
    src = parse(path, text, project_modules, overrides)
    reader = PythonReader(src)
    top = Frame(reader.globals)
    with contextlib.suppress(_Return):
        reader.body(src.module.body, top)
    if reader.commands or not reader.tasks:
        return [Script(path, text, "python", tuple(reader.commands), tuple(reader.problems))]
    out = []
    for name, node, _kind in reader.tasks:
        reader.commands = []
        reader.run_task(node, top, set())
        out.append(Script(path, text, "python", tuple(reader.commands), tuple(reader.problems),
                          target=name))
    return out


def project_modules(files: frozenset[str]) -> frozenset[str]:
    """Names the project's own code can be imported as (`utils` for `scripts/utils.py`, `pkg`
    for `pkg/__init__.py`)."""
    out = set()
    for f in files:
        if f.endswith("/__init__.py"):
            out.add(f.rsplit("/", 2)[-2])
        elif f.endswith(".py"):
            out.add(f.rsplit("/", 1)[-1][:-3])
    return frozenset(out)
