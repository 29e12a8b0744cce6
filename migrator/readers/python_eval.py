"""Evaluate Python expressions of a build script to values (`python_values`), never running it.

Literals, names, f-strings, `+`/`%`/`.format`, `/` on paths, lists and tuples, dicts, `x if c
else y`, `==`, `and`/`or`, subscripts of known values, attributes of known objects, and calls
(`python_calls` knows the library; functions of the script are followed). What cannot be known
is an unknown value named after its source text; `eval`, `exec` and friends are refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst

from migrator.model import Unsupported
from migrator.readers.python_values import Obj, Str, equal, path_join, percent, truth

if TYPE_CHECKING:
    from migrator.readers.python import Frame, PythonReader

_DYNAMIC = {"eval", "exec", "compile", "__import__", "importlib.import_module", "runpy.run_path",
            "runpy.run_module", "execfile", "importlib.__import__"}


class Evaluator:
    def __init__(self, reader: PythonReader) -> None:
        self.reader = reader
        self.src = reader.src
        self.environ: dict[str, Str] = {}

    # ------------------------------------------------------------ names

    def qualname(self, node: cst.CSTNode) -> str | None:
        """The dotted name an expression refers to through the imports (`sp.run` ->
        `subprocess.run`), or None."""
        if isinstance(node, cst.Name):
            return self.reader.aliases.get(node.value, node.value)
        if isinstance(node, cst.Attribute):
            head = self.qualname(node.value)
            return f"{head}.{node.attr.value}" if head is not None else None
        return None

    def lookup(self, node: cst.Name, frame: Frame) -> Any:
        name = node.value
        if name in frame.names:
            value = frame.names[name]
        elif name in self.reader.globals:
            value = self.reader.globals[name]
        elif name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        else:
            return Str.unknown(name, *self._range(node))
        # A string keeps where its characters were written (a literal passed to a function):
        # a command string's words point at the literal, wherever it is run.
        return value

    def _range(self, node: cst.CSTNode) -> tuple[int, int]:
        s = self.src.span(node)
        return s.start, s.end

    # ------------------------------------------------------------ expressions

    def value(self, node: cst.BaseExpression | None, frame: Frame,
              at: cst.CSTNode | None = None) -> Any:
        if node is None:
            return None
        # By exact type: libcst's node classes are ABCs, and isinstance chains on them cost
        # more than the rest of the evaluation (benchmarks/python_reader.py).
        handler = _HANDLERS.get(type(node))
        if handler is not None:
            return handler(self, node, frame, at)
        return Str.unknown(self.src.code(node), *self._range(node))

    def _integer(self, node: cst.Integer) -> Any:
        return int(node.value, 0) if node.value.isdigit() or node.value[:2] in (
            "0x", "0o", "0b") else node.value

    def _ifexp(self, node: cst.IfExp, frame: Frame) -> Any:
        test = truth(self.value(node.test, frame))
        if test is None:
            return Str.unknown(self.src.code(node), *self._range(node))
        return self.value(node.body if test else node.orelse, frame)

    def _unary(self, node: cst.UnaryOperation, frame: Frame) -> Any:
        if not isinstance(node.operator, cst.Not):
            return Str.unknown(self.src.code(node), *self._range(node))
        t = truth(self.value(node.expression, frame))
        return None if t is None else not t

    def _call(self, node: cst.Call, frame: Frame) -> Any:
        from migrator.readers.python_calls import call

        return call(self, node, frame)

    def string(self, node: cst.SimpleString) -> Str:
        s = self.src.span(node)
        prefix = node.prefix
        q = len(node.quote)
        inner = self.src.text[s.start + len(prefix) : s.end][q:-q]
        if "\\" in inner or prefix.lower() not in ("", "u", "r", "b", "rb", "br"):
            value = node.evaluated_value  # escapes: Python's own reading (ast.literal_eval)
        else:
            value = inner
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if inner == value:
            first = s.start + len(node.prefix) + q
            return Str(value, tuple(range(first, first + len(value))),
                       tuple(range(first + 1, first + len(value) + 1)))
        return Str.at(value, s.start, s.end)

    def fstring(self, node: cst.FormattedString, frame: Frame) -> Any:
        out = Str("", (), ())
        for part in node.parts:
            s = self.src.span(part)
            if isinstance(part, cst.FormattedStringText):
                text = part.value.replace("{{", "{").replace("}}", "}")
                if text == part.value and "\\" not in text:
                    out = out + Str(text, tuple(range(s.start, s.end)),
                                    tuple(range(s.start + 1, s.end + 1)))
                else:
                    if "\\" in text and "r" not in node.start.lower():
                        text = text.encode("latin-1", "backslashreplace").decode(
                            "unicode_escape", "replace")
                    out = out + Str.at(text, s.start, s.end)
                continue
            assert isinstance(part, cst.FormattedStringExpression)
            v = self.value(part.expression, frame)
            if isinstance(v, Obj) and v.kind == "project":
                return v
            out = out + self.text_of(v, part)
        return out

    def text_of(self, v: Any, where: cst.CSTNode) -> Str:
        """`str(v)` for a value put into a string; unknown when it is not a known string."""
        s = self.src.span(where)
        if isinstance(v, Str):
            return v.moved(s.start, s.end) if not v.starts or v.starts[0] < s.start or (
                v.ends[-1] > s.end) else v
        if isinstance(v, bool) or v is None:
            return Str.at(str(v), s.start, s.end)
        if isinstance(v, int):
            return Str.at(str(v), s.start, s.end)
        if isinstance(v, Obj) and v.kind in ("image", "container") and "name" in v.data:
            return Str.at(v.data["name"].value, s.start, s.end, v.data["name"].known)
        return Str.unknown(self.src.code(where).strip("{}"), s.start, s.end)

    def attribute(self, node: cst.Attribute, frame: Frame) -> Any:
        q = self.qualname(node)
        if q in ("os.sep", "os.path.sep"):
            return Str.at("/", *self._range(node))
        if q == "os.curdir":
            return Str.at(".", *self._range(node))
        if q == "sys.executable":
            return Str.at("python3", *self._range(node))
        base = self.value(node.value, frame)
        if isinstance(base, Obj):
            if base.kind == "project":
                return base
            attrs = base.data.get("attrs", {})
            if node.attr.value in attrs:
                v = attrs[node.attr.value]
                return v
            if base.kind in ("image", "container") and node.attr.value in ("id", "name",
                                                                          "short_id"):
                return base.data.get("name") or Str.unknown(self.src.code(node))
        if isinstance(base, Str) and node.attr.value in ("parent", "name", "stem", "suffix"):
            from migrator.readers.python_calls import path_attribute

            return path_attribute(base, node.attr.value)
        return Obj("attribute", {"of": base, "name": node.attr.value, "q": q}) if isinstance(
            base, Obj) else Str.unknown(self.src.code(node), *self._range(node))

    def sequence(self, node: cst.List | cst.Tuple | cst.Set, frame: Frame) -> tuple[Any, ...]:
        out: list[Any] = []
        for el in node.elements:
            if isinstance(el, cst.StarredElement):
                v = self.value(el.value, frame)
                out.extend(v if isinstance(v, (tuple, list)) else [v])
            else:
                out.append(self.value(el.value, frame))
        return tuple(out)

    def dict_(self, node: cst.Dict, frame: Frame) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for el in node.elements:
            if isinstance(el, cst.DictElement):
                k = self.value(el.key, frame)
                if isinstance(k, Str):
                    out[k.value] = self.value(el.value, frame)
            else:
                v = self.value(el.value, frame)
                if isinstance(v, dict):
                    out.update(v)
        return out

    def binary(self, node: cst.BinaryOperation, frame: Frame, at: cst.CSTNode) -> Any:
        left = self.value(node.left, frame)
        right = self.value(node.right, frame)
        for side in (left, right):
            if isinstance(side, Obj) and side.kind == "project":
                return side
        op = node.operator
        if isinstance(op, cst.Add):
            out = _add(left, right)
            if out is not None:
                return out
        if isinstance(op, cst.Divide) and isinstance(left, Str) and isinstance(right, Str):
            return path_join([left, right])
        if isinstance(op, cst.Modulo) and isinstance(left, Str):
            args = list(right) if isinstance(right, tuple) else [right]
            done = percent(left, [self.text_of(a, at) if not isinstance(a, Str) else a
                                  for a in args], *self._range(at))
            if done is not None:
                return done
        return Str.unknown(self.src.code(at), *self._range(at))

    def compare(self, node: cst.Comparison, frame: Frame) -> Any:
        left = self.value(node.left, frame)
        result: bool | None = True
        for target in node.comparisons:
            right = self.value(target.comparator, frame)
            if isinstance(target.operator, (cst.Equal, cst.NotEqual)):
                e = equal(left, right)
                r = None if e is None else (e if isinstance(target.operator, cst.Equal)
                                            else not e)
            elif isinstance(target.operator, (cst.In, cst.NotIn)) and isinstance(
                    right, (tuple, list)) and isinstance(left, Str) and left.known:
                r = any(isinstance(x, Str) and x.value == left.value for x in right)
                r = r if isinstance(target.operator, cst.In) else not r
            else:
                r = None
            if r is None:
                return None
            result = result and r
            left = right
        return result

    def boolean(self, node: cst.BooleanOperation, frame: Frame) -> Any:
        left = self.value(node.left, frame)
        t = truth(left)
        if isinstance(node.operator, cst.Or):
            if t is True:
                return left
            # `os.environ.get("X") or "default"`: the default, as for .get's own default
            return self.value(node.right, frame)
        if t is False:
            return left
        right = self.value(node.right, frame)
        return right if t is True else None

    def subscript(self, node: cst.Subscript, frame: Frame) -> Any:
        base = self.value(node.value, frame)
        q = self.qualname(node.value)
        el = node.slice[0].slice if len(node.slice) == 1 else None
        key = self.value(el.value, frame) if isinstance(el, cst.Index) else None
        if q == "os.environ" and isinstance(key, Str):
            from migrator.readers.python_calls import environ

            return environ(self, key, None, node)
        if isinstance(base, dict) and isinstance(key, Str):
            return base.get(key.value, Str.unknown(self.src.code(node), *self._range(node)))
        if isinstance(base, (tuple, list)) and isinstance(key, int) and -len(base) <= key < len(
                base):
            return base[key]
        if isinstance(base, Obj) and base.kind == "project":
            return base
        return Str.unknown(self.src.code(node), *self._range(node))

    def comprehension(self, node: cst.ListComp | cst.GeneratorExp, frame: Frame) -> Any:
        f = node.for_in
        items = self.value(f.iter, frame)
        if f.inner_for_in is not None or f.ifs or not isinstance(items, (tuple, list)):
            return Str.unknown(self.src.code(node), *self._range(node))
        out = []
        for item in items:
            self.reader.bind(f.target, item, frame)
            out.append(self.value(node.elt, frame))
        return tuple(out)

    def refuse_dynamic(self, q: str | None, node: cst.Call) -> None:
        if q in _DYNAMIC:
            raise Unsupported(self.src.loc(node), f"{q}() runs code migrator cannot read "
                                                  "without running it")


def _add(left: Any, right: Any) -> Any:
    if isinstance(left, Str) and isinstance(right, Str):
        return left + right
    if isinstance(left, tuple) and isinstance(right, tuple):
        return left + right
    if isinstance(left, list) and isinstance(right, (list, tuple)):
        return (*left, *right)
    if isinstance(left, int) and isinstance(right, int) and not isinstance(left, bool):
        return left + right
    return None


_HANDLERS: dict[type, Any] = {
    cst.SimpleString: lambda ev, n, f, at: ev.string(n),
    cst.ConcatenatedString: lambda ev, n, f, at: _add(ev.value(n.left, f), ev.value(n.right, f)),
    cst.FormattedString: lambda ev, n, f, at: ev.fstring(n, f),
    cst.Integer: lambda ev, n, f, at: ev._integer(n),
    cst.Name: lambda ev, n, f, at: ev.lookup(n, f),
    cst.Attribute: lambda ev, n, f, at: ev.attribute(n, f),
    cst.List: lambda ev, n, f, at: ev.sequence(n, f),
    cst.Tuple: lambda ev, n, f, at: ev.sequence(n, f),
    cst.Set: lambda ev, n, f, at: ev.sequence(n, f),
    cst.Dict: lambda ev, n, f, at: ev.dict_(n, f),
    cst.BinaryOperation: lambda ev, n, f, at: ev.binary(n, f, at or n),
    cst.Call: lambda ev, n, f, at: ev._call(n, f),
    cst.IfExp: lambda ev, n, f, at: ev._ifexp(n, f),
    cst.Comparison: lambda ev, n, f, at: ev.compare(n, f),
    cst.BooleanOperation: lambda ev, n, f, at: ev.boolean(n, f),
    cst.UnaryOperation: lambda ev, n, f, at: ev._unary(n, f),
    cst.Subscript: lambda ev, n, f, at: ev.subscript(n, f),
    cst.ListComp: lambda ev, n, f, at: ev.comprehension(n, f),
    cst.GeneratorExp: lambda ev, n, f, at: ev.comprehension(n, f),
}
