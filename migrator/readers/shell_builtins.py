"""Builtins that change what the reader knows rather than run anything: `cd`, `pushd`/`popd`,
`shift`, `set --`, `export`/`local`/`readonly`/`declare`, arrays, `source`/`.`, `exit`/`return`,
calls of the script's own functions, and a docker called through a variable (`$DOCKER build`).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from migrator.model import PROJECT, Command, Loc, Span, Unsupported, Word, warning
from migrator.readers.shell_flow import Break, Exit, Return
from migrator.readers.shell_frame import Frame, Sym
from migrator.readers.shell_tree import WORDS, glue
from migrator.readers.words import host_path

if TYPE_CHECKING:
    from migrator.readers.shell import ShellReader

_MAX_RECURSION = 8
# `$DOCKER`, `${DOCKER_CMD}`, `$(DOCKER)` left unknown: the command is docker all the same.
_DOCKER_VARIABLE = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")
_DECLARE_OPTS = {"-a", "-A", "-r", "-x", "-g", "-i", "-l", "-u", "-n", "-f", "-F", "-p", "-t"}


def value_of(w: Word) -> str:
    """A word's value as a shell value: unknown parts make it a `Sym`."""
    return w.value if w.known else Sym(w.value)


def declare(r: ShellReader, node: Any, frame: Frame, cut: Span) -> None:
    """`export A=1 B`, `local x=$1`, `readonly V`, `declare -a arr=(...)`."""
    keyword = node.children[0].type if node.children else ""
    children = glue(list(node.named_children))
    options = {r.text_of(c) for c in children if c.type == "word"}
    for child in children:
        if child.type == "variable_assignment":
            name_node = child.child_by_field_name("name")
            name = r.text_of(name_node) if name_node is not None else ""
        elif child.type == "variable_name":
            name = r.text_of(child)
        else:
            continue
        if keyword in ("local", "declare", "typeset") and frame.saved is not None \
                and name not in frame.saved and "-g" not in options:
            frame.saved[name] = (name in frame.env, frame.env.get(name))
        if keyword == "export" or "-x" in options:
            frame.exported.add(name)
        if child.type == "variable_assignment":
            r.assign([child], frame, cut, command=False)
        elif keyword in ("local", "declare", "typeset") and name not in frame.env:
            frame.set(name, "")  # declared, empty until assigned


_LONE_EXPANSIONS = ("simple_expansion", "expansion", "command_substitution")


def assign_array(r: ShellReader, name: str, node: Any, frame: Frame) -> None:
    """`a=(x "y z" $V)`: each element a field; unknown splitting makes the array unknown. An
    element that is an unknown expansion alone (`$ARGS`) may be any number of fields; one with
    text of its own (`-e X=$X`, `$dir:/build`) is read as the one field it is written as."""
    items: list[str] = []
    for child in node.named_children:
        if child.type not in WORDS:
            continue
        fields = r.fields(child, frame)
        if any(not w.known for w in fields) and child.type in _LONE_EXPANSIONS:
            frame.set(name, Sym("${" + name + "[@]}"))
            return
        items.extend(value_of(w) for w in fields)
    frame.set(name, None)
    frame.env.pop(name, None)
    frame.arrays[name] = tuple(items)


def docker_through_variable(r: ShellReader, argv: list[Word], loc: Loc) -> list[Word]:
    head = argv[0]
    m = _DOCKER_VARIABLE.match(head.value) if not head.known else None
    if m is None or "docker" not in m.group(1).lower():
        return argv
    r.note(loc, f"`{head.raw}` read as docker (the files do not set {m.group(1)})")
    return [replace(head, value="docker", known=True), *argv[1:]]


def run(r: ShellReader, cmd: Command, frame: Frame) -> bool:
    """Apply a builtin or a function call; True if the command is not recorded itself (a
    function call, a `source`, a `cd`: what they run is recorded instead)."""
    name = cmd.name
    args = cmd.argv[1:]
    if name in ("cd", "pushd", "popd"):
        _directory(name, args, frame)
        return name == "cd"
    if name in r.shared.functions:
        call_function(r, cmd, frame)
        return True
    if name in ("source", "."):
        source(r, cmd, frame)
        return True
    if name == "shift":  # the arguments' plumbing: not a step of the build
        n = int(args[0].value) if args and args[0].value.isdigit() else 1
        frame.args = frame.args[n:]
        return True
    if name == "set" and args and args[0].value == "--":
        frame.args = tuple(value_of(w) for w in args[1:])
        return True
    if name == "set":
        flags = [w.value for w in args if w.value.startswith(("-", "+"))]
        if any("a" in f and not f.startswith("-o") for f in flags):
            frame.export_all = any(f.startswith("-") and "a" in f for f in flags)
        return False
    if name in ("read", "getopts", "mapfile", "readarray"):
        # They set variables from input the reader never sees: unknown from here on.
        names = [w.value for w in args if not w.value.startswith("-")]
        for v in names[1:2] if name == "getopts" else names[-1:] if name != "read" else names:
            frame.set(v, Sym("${" + v + "}"))
        return False
    if name == "unset":
        unset([w.value for w in args], frame)
    elif name in ("exit", "return", "break", "continue"):
        r.commands.append(cmd)
        raise {"exit": Exit, "return": Return}.get(name, Break)()
    elif name == "eval":
        r.problems.append(warning(cmd.loc, "not following `eval`: what it runs is not read"))
    else:
        return _called_file(r, cmd, frame)
    return False


def unset(names: list[str], frame: Frame) -> None:
    for name in names:
        if not name.startswith("-") and name not in frame.fixed:
            frame.env[name] = None
            frame.arrays.pop(name, None)


def _called_file(r: ShellReader, cmd: Command, frame: Frame) -> bool:
    """Another project file the command runs, read by the reader context, in its place. It
    gets the exported variables, as a child process does."""
    ctx = r.shared.ctx
    if ctx is None:
        return False
    ran = ctx.run(cmd, {k: frame.lookup(k) for k in frame.exported})
    if ran is None:
        return False
    r.commands.extend(ran.commands)
    r.problems.extend(ran.problems)
    r.shared.notes.extend(n for n in ran.notes if n not in r.shared.notes)
    return True


def _directory(name: str, args: tuple[Word, ...], frame: Frame) -> None:
    words = [w for w in args if not w.value.startswith("-") or w.value == "-"]
    if name == "popd":
        if frame.dirs:
            frame.cwd = frame.dirs.pop()
        return
    if name == "dirs":
        return
    if name == "pushd":
        frame.dirs.append(frame.cwd)
    target = words[0].value if words else None
    if target is None:
        frame.cwd = frame.env.get("HOME") or "${HOME}"
    elif target == "-":
        frame.cwd = frame.env.get("OLDPWD") or frame.cwd
    else:
        frame.env["OLDPWD"] = frame.cwd
        frame.cwd = host_path(target, frame.cwd).rstrip("/").removesuffix("/.")


def call_function(r: ShellReader, cmd: Command, frame: Frame) -> None:
    """The function's body runs with its own arguments; `local` ends at its return."""
    body, owner, text = r.shared.functions[cmd.name]
    if sum(c.name == cmd.name for c in frame.calls) >= _MAX_RECURSION:
        r.problems.append(warning(cmd.loc, f"not following {cmd.name} deeper: it calls itself "
                                           f"{_MAX_RECURSION} times over"))
        return
    inner = frame.copy(args=tuple(value_of(w) for w in cmd.argv[1:]),
                       calls=(*frame.calls, cmd), saved={},
                       output_to=cmd.captured or frame.output_to)
    inner.env = frame.env  # functions share the caller's variables
    inner.arrays = frame.arrays
    old = owner.enter(*text)
    try:
        owner.walk(body, inner, owner.span(body))
    except Return:
        pass
    finally:
        owner.enter(*old)
    frame.cwd = inner.cwd
    frame.dirs = inner.dirs
    frame.exported = inner.exported
    for k, (existed, old_value) in (inner.saved or {}).items():  # `local` ends here
        if existed:
            frame.env[k] = old_value
        else:
            frame.env.pop(k, None)


def source(r: ShellReader, cmd: Command, frame: Frame) -> None:
    """`source FILE` / `. FILE`: the file's text runs here, in this shell."""
    from migrator.readers.shell import ShellReader

    if len(cmd.argv) < 2 or not cmd.argv[1].known:
        what = cmd.argv[1].value if len(cmd.argv) > 1 else ""
        r.problems.append(warning(cmd.loc, f"not following `{cmd.name} {what}`: the file "
                                           "depends on a value the files do not give"))
        return
    full = host_path(cmd.argv[1].value, frame.cwd)
    rel = full.removeprefix(PROJECT + "/")
    ctx = r.shared.ctx
    if ctx is None or rel == full or not ctx.is_file(rel):
        r.problems.append(warning(cmd.loc, f"not following `{cmd.name} {cmd.argv[1].value}`: "
                                           "no such file in the project; what it sets stays "
                                           "unknown"))
        return
    if rel in r.shared.sourcing:
        chain = " -> ".join([*r.shared.sourcing[r.shared.sourcing.index(rel):], rel])
        raise Unsupported(cmd.loc, f"{rel} sources itself ({chain}); cannot follow the build")
    text = ctx.text(rel, cmd.loc)
    inner = ShellReader(rel, text, script_dir=posixpath.dirname(full), shared=r.shared)
    saved_args = frame.args
    if len(cmd.argv) > 2:
        frame.args = tuple(value_of(w) for w in cmd.argv[2:])
    r.shared.sourcing.append(rel)
    try:
        inner.read_sourced(text, frame)
    except Return:
        pass
    finally:
        r.shared.sourcing.pop()
    if len(cmd.argv) > 2:
        frame.args = saved_args
