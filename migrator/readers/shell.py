"""Read shell text (a build script, or one Makefile recipe line) into `Command` values.

The reader walks the tree-sitter-bash tree in execution order, as bash would run it but running
nothing: variables, arguments, functions, `cd`/`pushd`, `source`d files, `if`/`case`/`for`/`while`
(a known condition takes its branch; an unknown one walks every branch as conditional), and
records each simple command with its evaluated words and its place in the file. Control flow is
in `shell_flow`, builtins in `shell_builtins`, word expansion in `shell_words`.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from migrator.model import (
    PROJECT,
    Command,
    Loc,
    Problem,
    Redirect,
    Script,
    Span,
    Unsupported,
    Word,
    warning,
)
from migrator.readers import shell_builtins, shell_capture, shell_flow, shell_subst, shell_words
from migrator.readers.shell_frame import Deciding, Frame, Sym, initial_frame, unknown_value
from migrator.readers.shell_tree import (
    BROKEN_CONTINUATION,
    WORDS,
    Frag,
    Joined,
    Lines,
    Positions,
    Replaced,
    command_parts,
    first_command,
    first_error,
    parser,
    stray_keyword,
    strip_wrappers,
    substitutions,
    unwrap,
)

if TYPE_CHECKING:
    from migrator.readers.context import ReaderContext

__all__ = ["Frame", "Lines", "Positions", "ShellReader", "_Frag", "initial_frame", "read_shell"]

_Frag = Frag  # the name the Makefile reader imports
_Frame = Frame
# An unquoted `$DOCKER_BUILD_ARGS`-style word: a list of options the environment may give; with
# the environment clean (it is never read) it is no words at all.
_OPTION_LIST = re.compile(r"^\$\{?[A-Za-z_]*(?:ARGS|OPTS|FLAGS|OPTIONS)\}?$", re.IGNORECASE)
_MAX_STEPS = 200_000
_SEQUENCES = {"program", "compound_statement", "do_group"}


@dataclass
class Shared:
    """What every file read for one entry point adds to (sourced files, function bodies)."""

    main: str
    # The project's files, `--set` values, and the reading of project files a command runs.
    ctx: ReaderContext | None = None
    functions: dict[str, tuple[Any, ShellReader, tuple[Frag, Positions]]] = field(
        default_factory=dict)
    definitions: dict[str, Span] = field(default_factory=dict)
    commands: list[Command] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sourcing: list[str] = field(default_factory=list)
    pipes: int = 0
    steps: int = 0
    capture: shell_capture.Capture | None = None  # a function's output being read


class ShellReader:
    """Walks the shell text of one file (a script, a sourced file, or Makefile recipe lines)."""

    def __init__(self, path: str, text: str, *, lines: Lines | None = None,
                 script_dir: str = PROJECT, ctx: ReaderContext | None = None,
                 shared: Shared | None = None) -> None:
        self.path = path
        self.text = text
        self.lines = lines or Lines(text)
        self.script_dir = script_dir
        self.shared = shared or Shared(path, ctx, sourcing=[path])
        self._frag = Frag("")
        self._pos = Positions("", b"")

    @property
    def commands(self) -> list[Command]:
        return self.shared.commands

    @property
    def problems(self) -> list[Problem]:
        return self.shared.problems

    @property
    def definitions(self) -> dict[str, Span]:
        return self.shared.definitions

    # ------------------------------------------------------------ entry points

    def read(self, frag: Frag, frame: Frame) -> None:
        if not frame.script:
            frame.script = f"{self.script_dir}/{self.path.rpartition('/')[2]}"
        ctx = self.shared.ctx
        if ctx is not None and frag.starts is None and not frame.fixed:
            # A script (not a make recipe line): `--set` values, given to it and its children.
            frame.env.update(ctx.overrides)
            frame.exported |= set(ctx.overrides)
            frame.fixed = frozenset(ctx.overrides)
        root = self._parse(frag)
        with contextlib.suppress(shell_flow.Stop):  # `exit`: nothing after it runs
            self.sequence(root, frame)

    def read_sourced(self, text: str, frame: Frame) -> None:
        """A `source`d file: same frame; its `exit` ends the script that sourced it."""
        old = frame.source_file
        frame.source_file = f"{self.script_dir}/{self.path.rpartition('/')[2]}"
        try:
            self.sequence(self._parse(Frag(text.removeprefix("\ufeff"),
                                           1 if text.startswith("\ufeff") else 0)), frame)
        finally:
            frame.source_file = old

    def _parse(self, frag: Frag) -> Any:
        data = frag.text.encode("utf-8")
        tree = parser().parse(data)
        self._frag, self._pos = frag, Positions(frag.text, data)
        root = tree.root_node
        bad = first_error(root) if root.has_error else stray_keyword(root, data)
        if bad is not None:
            a, _ = self._pos(bad)
            near = frag.text[a : a + 20].split("\n")[0].strip()
            what = f"near {near!r}" if near else "unexpected end of the text"
            raise Unsupported(self.loc(frag.span(a, a + 1).start),
                              f"cannot parse shell: syntax error {what}")
        return root

    def loc(self, offset: int) -> Loc:
        return Loc(self.path, self.lines.line(offset))

    def span(self, node: Any) -> Span:
        return self._frag.span(*self._pos(node))

    def source(self, node: Any) -> tuple[str, str, Span]:
        """What the parser saw (make-expanded), the file's own text, and the span."""
        a, b = self._pos(node)
        span = self._frag.span(a, b)
        return self._frag.text[a:b], self.text[span.start : span.end], span

    def text_of(self, node: Any) -> str:
        return self.source(node)[0]

    def note(self, loc: Loc, message: str) -> None:
        text = f"{loc}: {message}"
        if text not in self.shared.notes:  # a loop or a function says it once
            self.shared.notes.append(text)

    # ------------------------------------------------------------ walking

    def sequence(self, node: Any, frame: Frame) -> None:
        """Statements in order (a script, a `{ }` group, a `do ... done` body, a subshell)."""
        items = [c for c in node.named_children if c.type != "comment"]
        self.statements(self._join_broken_continuations(items), frame)

    def statements(self, items: list[Any], frame: Frame) -> None:
        for i, item in enumerate(items):
            a, b = self._pos(item)
            cut_end = b
            if i + 1 < len(items):
                na = self._pos(items[i + 1])[0]
                if "\n" not in self._frag.text[b:na]:
                    cut_end = na  # `a; b` on one line: take the `;` with it
            self.walk(item, frame, self._frag.span(a, cut_end))

    def _join_broken_continuations(self, items: list[Any]) -> list[Any]:
        """A backslash followed by spaces ends the line in a real shell; the intent is plain:
        the next line, starting with an option, continues the command. Join and warn."""
        out: list[Any] = []
        for item in items:
            prev = out[-1] if out else None
            head = first_command(item)
            if prev is not None and head is not None and prev.type in ("command", "_joined"):
                gap = self._frag.text[self._pos(prev)[1] : self._pos(head)[0]]
                if BROKEN_CONTINUATION.match(gap):
                    self.problems.append(warning(
                        self.loc(self.span(prev).end),
                        "backslash followed by spaces does not continue the line in a real "
                        "shell; read as a continuation (remove the trailing spaces)"))
                    joined = Joined(prev, head)
                    out[-1] = joined if head is item else Replaced(item, head, joined)
                    continue
            out.append(item)
        return out

    def walk(self, node: Any, frame: Frame, cut: Span) -> None:
        self.shared.steps += 1
        if self.shared.steps > _MAX_STEPS:  # loops within loops over long lists
            raise Unsupported(self.loc(self.span(node).start), "reading this script takes more "
                              f"than {_MAX_STEPS} steps; its loops are too large to follow")
        kind = node.type
        if kind in ("command", "redirected_statement", "_joined"):
            self.command(node, frame, cut)
        elif kind == "variable_assignment":
            self.assign([node], frame, cut, command=False)
        elif kind == "variable_assignments":
            self.assign(node.named_children, frame, cut, command=False)
        elif kind == "declaration_command":
            shell_builtins.declare(self, node, frame, cut)
        elif kind == "unset_command":
            shell_builtins.unset([self.text_of(c) for c in node.named_children], frame)
        elif kind == "subshell":
            with contextlib.suppress(shell_flow.Stop):  # `exit` leaves the subshell only
                self.sequence(node, frame.copy())
        elif kind in _SEQUENCES:
            self.sequence(node, frame)
        elif kind == "function_definition":
            name = self.text_of(node.child_by_field_name("name"))
            self.shared.functions[name] = (node.child_by_field_name("body"), self, self.here)
            if self.path == self.shared.main:
                self.definitions[name] = self.span(node)
        else:
            shell_flow.walk(self, node, frame, cut)

    # ------------------------------------------------------------ words

    def scope(self, frame: Frame) -> shell_words.Scope:
        return frame

    def fields(self, node: Any, frame: Frame, deciding: bool = False) -> list[Word]:
        """The words one source word becomes after expansion (field splitting included).
        `deciding`: for a condition, where a variable the files never set is unset."""
        text, raw, span = self.source(node)
        if text in ('"$@"', '"${@}"', "$@", "${@}"):
            return [Word(raw, a, span, not isinstance(a, Sym), True) for a in frame.args]
        if text.startswith('"${') and text.endswith('[@]}"') and text.count("$") == 1:
            items = frame.array(text[3:-5])
            if items is not None:
                return [Word(raw, a, span, not isinstance(a, Sym), True) for a in items]
        if _OPTION_LIST.match(text) and frame.lookup(text.strip("${}")) is None:
            name = text.strip("${}")
            self.note(self.loc(span.start), f"{name} is not set by the files: the options it "
                      f"holds are read as none (--set {name}=... gives them)")
            return []
        notes: list[str] = []
        scope = Deciding(frame) if deciding else frame
        values, known = shell_words.evaluate(
            text, scope, notes, lambda argv: shell_capture.output_of(self, frame, argv))
        for name in dict.fromkeys(scope.unset if isinstance(scope, Deciding) else ()):
            notes.append(f"{name} is not set by the files: read as unset where it decides the "
                         f"flow (--set {name}=... gives it a value)")
        for n in notes:
            self.note(self.loc(span.start), n)
        return [Word(raw, v, span, known, len(values) > 1) for v in values]

    def word(self, node: Any, frame: Frame, deciding: bool = False) -> Word:
        found = self.fields(node, frame, deciding)
        if len(found) == 1:
            return found[0]
        _, raw, span = self.source(node)
        return Word(raw, " ".join(w.value for w in found), span, all(w.known for w in found))

    # ------------------------------------------------------------ statements

    def assign(self, nodes: list[Any], frame: Frame, cut: Span, command: bool) -> None:
        for a in nodes:
            name_node = a.child_by_field_name("name")
            value_node = a.child_by_field_name("value")
            if name_node is None:
                continue
            name = self.text_of(name_node)
            self.substituted(value_node, frame, cut, captured=name)
            if command:
                continue
            if name_node.type == "subscript":
                frame.set(self.text_of(name_node.child_by_field_name("name")), None)
            elif value_node is not None and value_node.type == "array":
                shell_builtins.assign_array(self, name, value_node, frame)
            elif value_node is None:
                frame.set(name, "")
            else:
                w = self.word(value_node, frame)
                frame.set(name, w.value if w.known else
                          unknown_value(name, w.value, self.text_of(value_node), frame))

    def substituted(self, node: Any, frame: Frame, cut: Span, captured: str | None) -> None:
        """The commands inside `$(...)` in a word run too; record them."""
        for sub in substitutions(node):
            inner = [c for c in sub.named_children if c.type != "comment"]
            if len(inner) == 1 and inner[0].type in ("command", "redirected_statement"):
                self.command(inner[0], frame, cut, captured=captured)

    def command(self, node: Any, frame: Frame, cut: Span,
                pipe: tuple[int, int] | None = None, captured: str | None = None) -> None:
        body, redirects = unwrap(node)
        if body is None:
            return
        if body.type not in ("command", "_joined"):
            self.walk(body, frame, cut)  # `{ ...; } > log`: the group, its output redirected
            return
        assigns, wordnodes = command_parts(body)
        env_pairs: list[tuple[str, str]] = []
        if assigns:
            self.assign(assigns, frame, cut, command=bool(wordnodes))
            for a in assigns if wordnodes else ():
                value = a.child_by_field_name("value")
                env_pairs.append((self.text_of(a.child_by_field_name("name")),
                                  self.word(value, frame).value if value is not None else ""))
        if not wordnodes:
            return
        for sub in (s for n in wordnodes for s in substitutions(n)):
            inner = [c for c in sub.named_children if c.type != "comment"]
            name = shell_subst.inline_container(self.text_of(inner[0])) if len(inner) == 1 \
                and inner[0].type == "command" else None
            if name is not None:  # `docker cp "$(docker create app-build)":/app .`
                self.command(inner[0], frame, cut, captured=name)
        argv = [w for n in wordnodes for w in self.fields(n, frame)]
        # Words that one source word (`$(BUILD_ARGS)`, an unquoted `$FLAGS`) expanded to.
        counts = Counter(w.span for w in argv)
        shared = {span for span, n in counts.items() if n > 1}
        argv = strip_wrappers([replace(w, split=True) if w.span in shared else w for w in argv])
        if not argv:
            return
        span = self.span(node)
        argv = shell_builtins.docker_through_variable(self, argv, self.loc(span.start))
        cmd = Command(
            argv=tuple(argv),
            loc=self.loc(span.start),
            span=span,
            cut=cut,
            cwd=frame.cwd,
            redirects=tuple(self.redirect(r, frame) for r in redirects),
            pipe=pipe,
            calls=frame.calls,
            conditional=frame.conditional,
            env=tuple(env_pairs),
            file=self.path,
            captured=captured or (frame.output_to if not redirects else None),
        )
        if shell_capture.consumed(self, cmd, frame):
            return
        if not shell_builtins.run(self, cmd, frame):
            self.commands.append(cmd)

    def redirect(self, node: Any, frame: Frame) -> Redirect:
        fd_node = next((c for c in node.named_children if c.type == "file_descriptor"), None)
        fd = int(self.text_of(fd_node)) if fd_node is not None else None
        op = next((c.type for c in node.children if not c.is_named), "")
        if node.type == "heredoc_redirect":
            start = next((c for c in node.named_children if c.type == "heredoc_start"), None)
            if start is None:
                return Redirect(op, None, fd)
            _, raw, span = self.source(start)
            return Redirect(op, Word(raw, raw.strip("'\""), span), fd)
        target = node.child_by_field_name("destination")
        if node.type != "file_redirect" or target is None or target.type not in WORDS:
            return Redirect(op, None, fd)
        return Redirect(op, self.word(target, frame), fd)

    def enter(self, frag: Frag, pos: Positions) -> tuple[Frag, Positions]:
        """Switch to another piece of this file's text (a function body); returns the old."""
        old = self._frag, self._pos
        self._frag, self._pos = frag, pos
        return old

    @property
    def here(self) -> tuple[Frag, Positions]:
        return self._frag, self._pos


def read_shell(path: str, text: str, ctx: ReaderContext | None = None, cwd: str = PROJECT,
               args: tuple[str, ...] | None = None) -> Script:
    """Read a whole shell build script, started from `cwd` (the project root by default) with
    positional parameters `args` (None: the user's, unknown). `ctx` gives the project's other
    files (`source`, scripts a command runs) and the `--set` values; the environment is never
    read."""
    head, _, _ = path.rpartition("/")
    script_dir = f"{PROJECT}/{head}" if head else PROJECT
    reader = ShellReader(path, text, script_dir=script_dir, ctx=ctx)
    frame = initial_frame({}, cwd, args)
    bom = 1 if text.startswith("\ufeff") else 0  # an editor's byte-order mark: not a command
    reader.read(Frag(text[bom:], bom), frame)
    shared = reader.shared
    return Script(path, text, "shell", tuple(shared.commands), tuple(shared.problems),
                  functions=tuple(shared.definitions.items()), notes=tuple(shared.notes))
