"""The script-edit layer: the plan's intent for the build's commands, spliced into their files.

Planners say what they want in terms of commands (`ScriptEdits`): these commands are dead; this
span of a kept command's file gets this text. This module resolves deletions to what can be
deleted (a step inside a function goes at its call site), groups everything by the file each
command's text is in, and hands each file to the editor for its kind. An editor turns one file's
`FileEdits` into its new text; `EDITORS` maps `Script.kind` ("shell", "make", ...) to one, so a
reader for another kind of build script plugs its editor in there.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from migrator.model import Command, Script, Span, Unsupported
from migrator.plan.result import FileChange
from migrator.splice import Edit


@dataclass(frozen=True)
class ScriptEdits:
    """What the plan wants changed in the build's script files, in terms of commands."""

    dead: tuple[Command, ...] = ()  # commands that no longer run
    edits: tuple[tuple[Command, Edit], ...] = ()  # an edit in the text of the file `cmd` is in
    # A dead command to write as this text instead when deleting it would leave a target users
    # call with nothing to do (`make builder` -> `docker build --target builder ...`).
    instead: tuple[tuple[Command, str], ...] = ()


@dataclass(frozen=True)
class FileEdits:
    """Everything to do to one script file; its editor turns it into the file's new text."""

    path: str
    text: str
    kind: str
    removed: tuple[Command, ...]  # commands (or call sites) in this file to delete
    edits: tuple[Edit, ...]  # replacements and insertions, spans in `text`
    functions: tuple[Span, ...] = ()  # definitions in this file that nothing calls any more
    script: Script | None = field(default=None, compare=False)  # the entry point, for context
    instead: tuple[tuple[Command, str], ...] = ()  # see `ScriptEdits.instead`


Editor = Callable[[FileEdits], str]


def _builtin(kind: str) -> Editor | None:
    if kind == "shell":
        from migrator.plan.edit_shell import edit as shell

        return shell
    if kind == "make":
        from migrator.plan.edit_make import edit as make

        return make
    if kind in ("ci", "docs"):
        from migrator.plan.edit_embedded import edit as embedded

        return embedded
    if kind == "python":
        from migrator.pyedit import edit as python  # libcst: only for Python build scripts

        return python
    return None


# Editors for other kinds of build script plug in here: EDITORS["python"] = edit_python.
EDITORS: dict[str, Editor] = {}
_MAKEFILES = ("GNUmakefile", "makefile", "Makefile")


def file_commands(fe: FileEdits) -> list[Command]:
    """The commands whose text is in this file, in execution order."""
    if fe.script is None:
        return list(fe.removed)
    return [c for c in fe.script.commands if file_of(c, fe.script) == fe.path]


def kind_of(path: str, script: Script) -> str:
    """The kind of script a file is: the entry point's own kind, else by its name."""
    if path == script.path:
        return script.kind
    name = posixpath.basename(path)
    if name in _MAKEFILES or name.endswith(".mk"):
        return "make"
    return "python" if name.endswith(".py") else "shell"


def file_of(cmd: Command, script: Script) -> str:
    return cmd.file or script.path


def _removals(script: Script, dead: Sequence[Command]) -> tuple[list[Command], set[Command]]:
    """The commands to delete, and the call sites among them: a step reached through a function
    goes at its call site, when everything the call runs is dead."""
    dead_set = set(dead)
    by_call: dict[Command, list[Command]] = {}
    for c in script.commands:
        if c.calls:
            by_call.setdefault(c.calls[0], []).append(c)
    removed: list[Command] = []
    sites: set[Command] = set()
    for c in dead:
        if not c.calls:
            removed.append(c)
            continue
        site = c.calls[0]
        if not all(x in dead_set for x in by_call.get(site, [])):
            raise Unsupported(c.loc, f"function called at {site.loc} mixes builder-pattern "
                                     "steps with other commands; cannot rewrite it")
        sites.add(site)
    return removed + sorted(sites, key=lambda s: (s.loc, s.span)), sites


def removed_call_sites(script: Script, dead: Sequence[Command]) -> set[Command]:
    return _removals(script, dead)[1]


def _dead_functions(script: Script, sites: set[Command]) -> list[tuple[str, Span]]:
    """(file, definition) of each function none of whose calls remain."""
    calls_by_name: dict[str, set[Command]] = {}
    for c in script.commands:
        for site in c.calls:
            calls_by_name.setdefault(site.name, set()).add(site)
    out = []
    for name, span in script.functions:
        called = calls_by_name.get(name, set())
        if called and all(site in sites for site in called):
            out.append((_function_file(name, span, script), span))
    return out


def _function_file(name: str, span: Span, script: Script) -> str:
    """The file a function is defined in: where the commands of its body are."""
    for c in script.commands:
        if c.calls and c.calls[-1].name == name and span.start <= c.span.start < span.end:
            return file_of(c, script)
    return script.path


def edit_scripts(script: Script, texts: Mapping[str, str], want: ScriptEdits) -> dict[str, str]:
    """The new text of every script file the edits change (path -> text), all files at once."""
    removed, sites = _removals(script, want.dead)
    per_file: dict[str, tuple[list[Command], list[Edit], list[Span]]] = {}

    def slot(path: str) -> tuple[list[Command], list[Edit], list[Span]]:
        return per_file.setdefault(path, ([], [], []))

    for c in removed:
        slot(file_of(c, script))[0].append(c)
    # The same recipe line run twice (make re-entered for another goal) is edited once.
    for c, e in dict.fromkeys(want.edits):
        if e not in slot(file_of(c, script))[1]:
            slot(file_of(c, script))[1].append(e)
    for path, span in _dead_functions(script, sites):
        slot(path)[2].append(span)
    out: dict[str, str] = {}
    for path, (cmds, edits, functions) in per_file.items():
        text = script.text if path == script.path else texts.get(path)
        if text is None:
            raise Unsupported(cmds[0].loc if cmds else None,
                              f"{path}: the text of this build file was not read")
        kind = kind_of(path, script)
        editor = EDITORS.get(kind) or _builtin(kind)
        if editor is None:
            raise Unsupported(cmds[0].loc if cmds else None,
                              f"{path}: cannot rewrite a {kind} build script")
        instead = tuple((c, t) for c, t in want.instead if c in cmds)
        new = editor(FileEdits(path, text, kind, tuple(cmds), tuple(edits), tuple(functions),
                               script, instead))
        if new != text:
            out[path] = new
    return out


def script_changes(script: Script, texts: Mapping[str, str],
                   want: ScriptEdits) -> list[FileChange]:
    """`edit_scripts` as the plan's file changes."""
    return [FileChange(path, texts[path], new)
            for path, new in edit_scripts(script, texts, want).items()]
