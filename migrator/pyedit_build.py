"""The plan's edits to docker commands, written the way the Python call already writes them.

The planners speak shell (`plan.build`): insert ` --build-arg K=V -f Dockerfile` after the
`build` word, replace the context word with `..`, replace a whole builder build with `docker
build --target builder ...`. Here each becomes the same change in the command's own form: list
elements (`subprocess.run(["docker", "build", ...])`, nox's `session.run("docker", ...)`), SDK
keyword arguments (`client.images.build(path=..., buildargs={...}, target=...)`), or shell text
inside a command string, escaped for its literal. A token that is the source text of a word of
the script (a Python expression such as `f"V={VERSION}"`) is kept as that expression.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Sequence

import libcst as cst

from migrator.model import PROJECT, Command, Span, Unsupported, Word
from migrator.readers.python_source import Source
from migrator.splice import Edit


def _expressions(src: Source) -> tuple[dict[Span, cst.Call], set[Span]]:
    """The calls by span, and the spans of every expression (a word whose span is one is a
    Python expression; any other word is shell text inside a string)."""
    calls: dict[Span, cst.Call] = {}
    spans: set[Span] = set()

    class V(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, (cst.BaseExpression, cst.DictElement)):
                spans.add(src.span(node))
                if isinstance(node, cst.Call):
                    calls[src.span(node)] = node
            return True

    src.module.visit(V())
    return calls, spans


class _Form:
    """How one docker command is written: "list", "sdk" or "string"."""

    def __init__(self, src: Source, cmd: Command, calls: dict[Span, cst.Call],
                 raws: dict[str, Word], shell_words: set[Span]) -> None:
        self.src, self.cmd, self.raws, self.shell_words = src, cmd, raws, shell_words
        self.call = calls.get(cmd.span)
        self.kind = "string"
        at = next((w.span.start for w in cmd.argv if w.value == "build"), cmd.span.start)
        if self.call is not None:
            func = self.call.func
            sdk = isinstance(func, cst.Attribute) and func.attr.value == "build" and not any(
                a.keyword is None for a in self.call.args)
            self.kind = "sdk" if sdk else "string" if cmd.argv and any(
                w.span in shell_words for w in cmd.argv) else "list"
        self.quote = _literal_quote(src.text, at)
        self.fstring = self.kind == "string" and _in_fstring(src.text, at)

    # ------------------------------------------------------------ tokens

    def tokens(self, text: str) -> list[tuple[str, Word | None]]:
        """Shell text as words: (value, the script's word when the text is its source)."""
        out: list[tuple[str, Word | None]] = []
        i = 0
        while i < len(text):
            if text[i].isspace() or text[i] == "\\":
                i += 1
                continue
            raw = max((r for r in self.raws if text.startswith(r, i)), key=len, default=None)
            if raw is not None and (i + len(raw) == len(text) or text[i + len(raw)].isspace()):
                out.append((self.raws[raw].value, self.raws[raw]))
                i += len(raw)
                continue
            j = i
            while j < len(text) and not text[j].isspace():
                j += 1
            out.extend((v, None) for v in shlex.split(text[i:j]))
            i = j
        return out

    def expr(self, value: str, word: Word | None) -> str:
        """One word as a Python expression (list and SDK forms)."""
        if word is not None and word.raw and word.span not in self.shell_words:
            return word.raw
        if word is not None and not word.known:
            raise Unsupported(self.cmd.loc, f"{word.raw} is known only when the script runs "
                                            "and is written in another form than this call")
        return json.dumps(value)

    def shell(self, value: str, word: Word | None) -> str:
        """One word as shell text inside this command's string literal."""
        if word is not None and word.span in self.shell_words and (
                "{" not in word.raw or _in_fstring(self.src.text, word.span.start) ==
                self.fstring):
            return word.raw  # shell text of another string of the same kind
        if word is not None and not word.known:
            raise Unsupported(self.cmd.loc, f"{word.raw} is known only when the script runs "
                                            "and is written in another form than this string")
        return self.escape(shlex.quote(value))

    def escape(self, text: str) -> str:
        out = text.replace("\\", "\\\\").replace(self.quote, "\\" + self.quote)
        return out.replace("{", "{{").replace("}", "}}") if self.fstring else out

    # ------------------------------------------------------------ the edits

    def insert(self, at: int, text: str) -> list[Edit]:
        toks = self.tokens(text)
        if self.kind == "list":
            return [Edit(Span(at, at), "".join(f", {self.expr(v, w)}" for v, w in toks))]
        if self.kind == "string":
            return [Edit(Span(at, at), "".join(f" {self.shell(v, w)}" for v, w in toks))]
        return self.sdk_options(toks)

    def replace_word(self, word: Word, text: str) -> list[Edit]:
        if self.kind == "list":
            return [Edit(word.span, json.dumps(text))]
        if self.kind == "string":
            return [Edit(word.span, self.escape(text))]
        key = self.keyword_at(word.span)
        if key == "dockerfile":
            return [self.set_kwarg("dockerfile", json.dumps(self.sdk_dockerfile(text)))]
        return [self.set_kwarg(key or "path", json.dumps(text))]

    def replace_command(self, text: str) -> list[Edit]:
        """The whole command becomes `text` (a builder build as a build of its stage)."""
        toks = self.tokens(text)
        if self.kind == "string":
            return [Edit(self.cmd.span, " ".join(self.shell(v, w) for v, w in toks))]
        if self.kind == "list":
            first = self.cmd.argv[0].span.start
            last = self.cmd.argv[-1].span.end
            return [Edit(Span(first, last), ", ".join(self.expr(v, w) for v, w in toks))]
        values = [v for v, _ in toks]
        context = values[-1]
        opts = [t for t in toks[2:-1]]
        edits = self.sdk_options([t for t in opts if t[0] in ("--target", "-f") or (
            opts.index(t) > 0 and opts[opts.index(t) - 1][0] in ("--target", "-f"))])
        return [*edits, self.set_kwarg("path", json.dumps(context))]

    def sdk_options(self, toks: Sequence[tuple[str, Word | None]]) -> list[Edit]:
        args: list[str] = []
        edits: list[Edit] = []
        i = 0
        while i < len(toks):
            flag = toks[i][0]
            value, word = toks[i + 1] if i + 1 < len(toks) else ("", None)
            if flag == "--build-arg":
                args.append(self.dict_entry(value, word))
            elif flag == "-f":
                edits.append(self.set_kwarg("dockerfile", json.dumps(self.sdk_dockerfile(
                    value))))
            elif flag == "--target":
                edits.append(self.set_kwarg("target", json.dumps(value)))
            else:
                raise Unsupported(self.cmd.loc, f"cannot write {flag} as an argument of the "
                                                "SDK's images.build()")
            i += 2
        if args:
            edits.insert(0, self.build_args(", ".join(args)))
        return edits

    def dict_entry(self, value: str, word: Word | None) -> str:
        k, eq, v = value.partition("=")
        if word is not None and word.raw.lstrip().startswith(json.dumps(k)[:1]) and ":" in \
                word.raw and word.span not in self.shell_words:
            return word.raw  # an SDK buildargs entry, `"K": expr`, as written
        if not eq:
            return f"{json.dumps(k)}: os.environ.get({json.dumps(k)}, '')"
        if word is not None and not word.known:
            raise Unsupported(self.cmd.loc, f"build arg {k} is known only when the script "
                                            "runs and is written in another form than this call")
        return f"{json.dumps(k)}: {json.dumps(v)}"

    def sdk_dockerfile(self, cli_path: str) -> str:
        """The SDK reads `dockerfile` relative to the context (`path`), the CLI relative to the
        working directory."""
        path = next((w.value for w in self.cmd.argv[2:][-1:]), ".")
        return posixpath.relpath(posixpath.normpath(cli_path), posixpath.normpath(path))

    def keyword_at(self, span: Span) -> str | None:
        assert self.call is not None
        for a in self.call.args:
            if a.keyword is not None and self.src.span(a.value) == span:
                return a.keyword.value
        return None

    def kwarg(self, key: str) -> cst.Arg | None:
        assert self.call is not None
        return next((a for a in self.call.args if a.keyword is not None and
                     a.keyword.value == key), None)

    def set_kwarg(self, key: str, value: str) -> Edit:
        arg = self.kwarg(key)
        if arg is not None:
            return Edit(self.src.span(arg.value), value)
        assert self.call is not None
        if not self.call.args:
            at = self.src.span(self.call).end - 1
            return Edit(Span(at, at), f"{key}={value}")
        end = self.src.span(self.call.args[-1].value).end
        return Edit(Span(end, end), f", {key}={value}")

    def build_args(self, entries: str) -> Edit:
        arg = self.kwarg("buildargs")
        if arg is not None and isinstance(arg.value, cst.Dict):
            elements = arg.value.elements
            if elements:
                end = self.src.span(elements[-1].value).end
                return Edit(Span(end, end), f", {entries}")
            at = self.src.span(arg.value).start + 1
            return Edit(Span(at, at), entries)
        if arg is not None:
            return Edit(self.src.span(arg.value), f"{{**{self.src.code(arg.value)}, {entries}}}")
        return self.set_kwarg("buildargs", f"{{{entries}}}")


def _literal_quote(text: str, at: int) -> str:
    """The quote character of the string literal that offset `at` is in."""
    line_start = text.rfind("\n", 0, at) + 1
    for i in range(at - 1, line_start - 1, -1):
        if text[i] in "'\"":
            return text[i]
    return '"'


def _in_fstring(text: str, at: int) -> bool:
    q = _literal_quote(text, at)
    i = text.rfind(q, 0, at)
    return i > 0 and text[i - 1] in "fF"


def translate(src: Source, commands: Sequence[Command], edits: Sequence[Edit]) -> list[Edit]:
    """The script layer's shell-form edits, each in the form of the command it changes."""
    calls, exprs = _expressions(src)
    raws = {w.raw: w for c in commands for w in c.argv if w.raw}
    # Words of string commands: their source text is shell, not a Python expression.
    shell_words = {w.span for c in commands for w in c.argv if w.span not in exprs}
    out: list[Edit] = []
    for e in edits:
        cmd = _owner(commands, e)
        if cmd is None:
            raise Unsupported(None, f"{src.path}: cannot place an edit at offset {e.span.start}")
        form = _Form(src, cmd, calls, raws, shell_words)
        if e.span == cmd.span:
            out.extend(form.replace_command(e.text))
        elif e.span.start == e.span.end:
            out.extend(form.insert(e.span.start, e.text))
        else:
            word = next(w for w in cmd.argv if w.span == e.span)
            out.extend(form.replace_word(word, e.text))
    return _merge(out)


def _owner(commands: Sequence[Command], e: Edit) -> Command | None:
    for c in commands:
        if e.span == c.span or any(w.span == e.span or (
                e.span.start == e.span.end == w.span.end) for w in c.argv):
            return c
    return None


def _merge(edits: list[Edit]) -> list[Edit]:
    """Insertions at one offset, in order, as one edit; one keyword argument set once."""
    out: list[Edit] = []
    for e in edits:
        if out and out[-1].span == e.span and e.span.start == e.span.end:
            out[-1] = Edit(e.span, out[-1].text + e.text)
        elif not any(o.span == e.span and o.text == e.text for o in out):
            out.append(e)
    return out


def rel_cwd(cmd: Command) -> str:
    if cmd.cwd.startswith(PROJECT + "/"):
        return cmd.cwd[len(PROJECT) + 1 :]
    return "."
