"""The final build of a Python build script, given what the one multi-stage build needs.

Three forms, each written the way the call already is: list elements (`subprocess.run(["docker",
"build", ...])`, nox's `session.run("docker", "build", ...)`), SDK keyword arguments
(`client.images.build(path=..., buildargs={...})`), and shell text inside a command string
(`os.system("docker build ...")`, `c.run(...)`), escaped for the string literal.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import libcst as cst

from migrator.model import PROJECT, BuildOp, Command, Dockerfile, Span, Unsupported, Word
from migrator.readers.python import Source
from migrator.splice import Edit

if TYPE_CHECKING:
    from migrator.infer import Flow


class _Form:
    """How one docker build command is written in the script."""

    def __init__(self, src: Source, cmd: Command) -> None:
        self.src, self.cmd = src, cmd
        self.call: cst.Call | None = None
        self.kind = "string"
        self.quote = '"'
        for node in _calls(src):
            if src.span(node) == cmd.span:
                self.call = node
                self.kind = "sdk" if isinstance(node.func, cst.Attribute) and \
                    node.func.attr.value == "build" and not any(
                        a.keyword is None for a in node.args) else "list"
        if self.kind == "string" and self.call is None:
            self.quote = _literal_quote(src.text, cmd.span.start)

    @property
    def build_word(self) -> Word:
        return next(w for w in self.cmd.argv if w.value == "build")

    def _after_build(self, items: Sequence[str]) -> Edit:
        at = self.build_word.span.end
        if self.kind == "list":
            return Edit(Span(at, at), "".join(f", {i}" for i in items))
        return Edit(Span(at, at), "".join(f" {self._escape(i)}" for i in items))

    def _escape(self, shell_text: str) -> str:
        q = self.quote
        out = shell_text.replace("\\", "\\\\").replace(q, "\\" + q) if q else shell_text
        return out

    def _word(self, value: str) -> str:
        return json.dumps(value) if self.kind != "string" else shlex.quote(value)

    def _kwarg(self, key: str) -> cst.Arg | None:
        assert self.call is not None
        return next((a for a in self.call.args if a.keyword is not None and
                     a.keyword.value == key), None)

    def _set_kwarg(self, key: str, value: str) -> Edit:
        arg = self._kwarg(key)
        if arg is not None:
            return Edit(self.src.span(arg.value), value)
        assert self.call is not None
        last = self.src.span(self.call.args[-1].value) if self.call.args else None
        if last is None:
            at = self.src.span(self.call).end - 1
            return Edit(Span(at, at), f"{key}={value}")
        return Edit(Span(last.end, last.end), f", {key}={value}")

    # ------------------------------------------------------------ the changes

    def add_build_args(self, args: Sequence[tuple[str, Word | None, _Form | None]]) -> Edit:
        if self.kind != "sdk":
            items = []
            for k, w, origin in args:
                flag = self._word("--build-arg")
                items.append(f"{flag}, {self._value(k, w, origin)}" if self.kind == "list"
                             else f"--build-arg {self._value(k, w, origin)}")
            return self._after_build(items)
        entries = ", ".join(f"{json.dumps(k)}: {self._dict_value(k, w, origin)}"
                            for k, w, origin in args)
        arg = self._kwarg("buildargs")
        if arg is not None and isinstance(arg.value, cst.Dict):
            elements = arg.value.elements
            if elements:
                end = self.src.span(elements[-1].value).end
                return Edit(Span(end, end), f", {entries}")
            at = self.src.span(arg.value).start + 1
            return Edit(Span(at, at), entries)
        if arg is not None:
            return Edit(self.src.span(arg.value), f"{{**{self.src.code(arg.value)}, {entries}}}")
        return self._set_kwarg("buildargs", f"{{{entries}}}")

    def _value(self, k: str, w: Word | None, origin: _Form | None) -> str:
        """The `K=V` word in this command's form."""
        if w is None:
            return self._word(k)
        if origin is not None and origin.kind == self.kind and origin.kind != "sdk":
            return w.raw  # the same form: the text as the builder build wrote it
        if w.known:
            return self._word(w.value)
        raise Unsupported(self.cmd.loc, f"build arg {k} has a value known only at run time, "
                                        "written in another form than the final build's")

    def _dict_value(self, k: str, w: Word | None, origin: _Form | None) -> str:
        if w is None:
            return f"os.environ.get({json.dumps(k)}, '')"
        if origin is not None and origin.kind == "sdk":
            el = next((e for e in _dict_elements(origin) if origin.src.span(e) == w.span), None)
            if el is not None:
                return self.src.code(el.value)
        if w.known:
            return json.dumps(w.value.partition("=")[2])
        raise Unsupported(self.cmd.loc, f"build arg {k} has a value known only at run time, "
                                        "written in another form than the final build's")

    def retarget(self, op: BuildOp, dockerfile: str, context: str, target: str | None) -> list[
            Edit]:
        """The build from the new Dockerfile and context (and stage, for a builder image
        whose tag is still used)."""
        cwd = _rel_cwd(op.cmd)
        if self.kind == "sdk":
            out = [self._set_kwarg("path", json.dumps(posixpath.relpath(context, cwd))),
                   self._set_kwarg("dockerfile", json.dumps(posixpath.relpath(dockerfile,
                                                                             context)))]
            if target is not None:
                out.append(self._set_kwarg("target", json.dumps(target)))
            return _merge(out)
        out = []
        ctx = _context_word(op, cwd)
        if ctx is not None and posixpath.normpath(op.context) != posixpath.normpath(context):
            out.append(Edit(ctx.span, self._escape_value(posixpath.relpath(context, cwd))))
        new_df = posixpath.relpath(dockerfile, cwd)
        front = [] if target is None else [self._flag_pair("--target", target)]
        if op.dockerfile_word is not None:
            if op.dockerfile != dockerfile:
                out.append(Edit(op.dockerfile_word.span, self._escape_value(new_df)))
        elif op.dockerfile != dockerfile:
            front.append(self._flag_pair("-f", new_df))
        if front:
            out.append(self._after_build(front))
        return out

    def _flag_pair(self, flag: str, value: str) -> str:
        if self.kind == "list":
            return f"{json.dumps(flag)}, {json.dumps(value)}"
        return f"{flag} {shlex.quote(value)}"

    def _escape_value(self, value: str) -> str:
        return json.dumps(value) if self.kind == "list" else self._escape(shlex.quote(value))


def _merge(edits: list[Edit]) -> list[Edit]:
    """Insertions at one offset, in order, as one edit."""
    out: list[Edit] = []
    for e in edits:
        if out and out[-1].span == e.span and e.span.start == e.span.end:
            out[-1] = Edit(e.span, out[-1].text + e.text)
        else:
            out.append(e)
    return out


def _dict_elements(form: _Form) -> list[cst.DictElement]:
    arg = form._kwarg("buildargs") if form.call is not None else None
    if arg is None or not isinstance(arg.value, cst.Dict):
        return []
    return [e for e in arg.value.elements if isinstance(e, cst.DictElement)]


def _calls(src: Source) -> list[cst.Call]:
    out: list[cst.Call] = []

    class V(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            out.append(node)

    src.module.visit(V())
    return out


def _literal_quote(text: str, at: int) -> str:
    """The quote character of the string literal that offset `at` is in."""
    line_start = text.rfind("\n", 0, at) + 1
    for i in range(at - 1, line_start - 1, -1):
        if text[i] in "'\"":
            return text[i]
    return '"'


def _rel_cwd(cmd: Command) -> str:
    cwd = cmd.cwd
    if cwd == PROJECT:
        return "."
    return cwd[len(PROJECT) + 1 :] if cwd.startswith(PROJECT + "/") else "."


def _context_word(op: BuildOp, cwd: str) -> Word | None:
    from migrator.sources import context_path

    words = [w for w in op.cmd.argv[2:] if not w.value.startswith("-")]
    found = [w for w in words if context_path(".", w.value) == posixpath.relpath(op.context, cwd)
             or w.value.rstrip("/") in (op.context, ".")]
    return found[-1] if found else None


def final_build_edits(src: Source, flow: Flow, builders: Sequence[Any], rdf: Dockerfile,
                      new_ctx: str) -> list[Edit]:
    from migrator.plan import new_build_args

    rt = flow.runtime
    form = _Form(src, rt.cmd)
    add: list[tuple[str, Word | None, _Form | None]] = []
    for k, w, _text, _loc in new_build_args(rt, builders, rdf):
        origin = next((_Form(src, b.build.cmd) for b in builders
                       if b.build is not None and w in [x for _, x in b.build.build_args]),
                      None)
        if all(k != a[0] for a in add):
            add.append((k, w, origin))
    edits = [form.add_build_args(add)] if add else []
    if rt.context != new_ctx or rt.staged:
        edits.extend(form.retarget(rt, rdf.path, new_ctx, None))
    for op in flow.keep_builder_tags:
        b = next(x for x in builders if x.build is op)
        edits.extend(_Form(src, op.cmd).retarget(op, rdf.path, new_ctx, b.name))
    return edits
