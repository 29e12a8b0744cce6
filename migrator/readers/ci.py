"""Read the commands a CI definition runs (.travis.yml, GitHub workflows, CircleCI, GitLab CI).

PyYAML composes the file (nodes keep their offsets). The commands of every step (`script:`,
`run:`, `command:` ... at any depth) become a *shell view* of the file: the same text with
everything that is not a command blanked, so offsets and line numbers are those of the YAML
file itself. The shell reader reads the view; nothing is executed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from migrator.model import Loc, Problem, Script, Unsupported, warning

if TYPE_CHECKING:
    from migrator.readers.context import ReaderContext

# Keys whose values are shell commands, in the CI systems above.
_COMMAND_KEYS = {"script", "before_script", "after_script", "install", "before_install",
                 "after_success", "after_failure", "before_deploy", "after_deploy", "run",
                 "command", "commands", "cmds", "cmd"}  # cmds/cmd: go-task's Taskfile

_EXPRESSION = re.compile(r"\$\{\{[^}\n]*\}\}")


def shell_view(path: str, text: str) -> tuple[str, list[Problem]]:
    """The file's text with only its commands left in place (same length, same lines)."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise Unsupported(Loc(path, line), f"cannot parse YAML: {getattr(exc, 'problem', exc)}"
                          ) from None
    view = [c if c in "\r\n" else " " for c in text]
    problems: list[Problem] = []
    for node in _commands(root, False):
        _place(node, text, view, path, problems)
    # GitHub's `${{ matrix.go }}` is filled in before the shell runs: an unknown word here.
    return _EXPRESSION.sub(lambda m: "${" + "_" * (len(m.group()) - 3) + "}", "".join(view)), \
        problems


def _commands(node: Any, wanted: bool) -> list[Any]:
    """The scalar nodes under a command key, in file order."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        return [node] if wanted and node.value.strip() else []
    if isinstance(node, yaml.SequenceNode):
        return [s for item in node.value for s in _commands(item, wanted)]
    if isinstance(node, yaml.MappingNode):
        out = []
        for key, value in node.value:
            is_cmd = isinstance(key, yaml.ScalarNode) and key.value in _COMMAND_KEYS
            out.extend(_commands(value, wanted or is_cmd))
        return out
    return []


def _place(node: Any, text: str, view: list[str], path: str, problems: list[Problem]) -> None:
    """Copy one command into the view where the file has it."""
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in (None, "", "|"):
        raw = text[start:end]
        if node.style == "|":  # the `|` indicator line carries no command
            nl = raw.find("\n")
            raw = " " * nl + raw[nl:] if nl >= 0 else ""
        view[start : start + len(raw)] = raw
        _separate(end, text, view)
        return
    if "\n" not in node.value and len(node.value) <= end - start:
        # Quoted or folded: the value is what the shell gets; it fits where the scalar was.
        view[start : start + len(node.value)] = node.value
        _separate(end, text, view)
        return
    problems.append(warning(Loc(path, node.start_mark.line + 1),
                            "not reading this multi-line folded or quoted CI command"))


def _separate(end: int, text: str, view: list[str]) -> None:
    """Two commands on one line (`script: [a, b]`) stay two commands."""
    rest = text[end:]
    gap = len(rest) - len(rest.lstrip(" \t"))
    if end + gap < len(text) and text[end + gap] in ",]" and view[end + gap] == " ":
        view[end + gap] = ";"


def read_ci(path: str, text: str, ctx: ReaderContext | None = None) -> Script:
    """The commands of every step of a CI file, in file order, each with its YAML line."""
    from migrator.readers.shell import ShellReader, _Frag, initial_frame

    view, problems = shell_view(path, text)
    reader = ShellReader(path, view, ctx=ctx)
    reader.read(_Frag(view), initial_frame())
    shared = reader.shared
    return Script(path, text, "ci", tuple(shared.commands), (*problems, *shared.problems))
