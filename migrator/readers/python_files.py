"""File operations of a Python build script as the host commands the shell forms would be.

`os.remove(p)` is `rm p`, `shutil.copy(a, b)` is `cp a b`, `os.makedirs(d)` is `mkdir -p d`,
`os.chmod(p, 0o755)` is `chmod 755 p`, and so on: inference already knows what those do to an
extracted file. Each word points at the argument it came from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst

from migrator.model import Command, Word
from migrator.readers.python_calls import arg_node, make_command, word
from migrator.readers.python_values import Str

if TYPE_CHECKING:
    from migrator.readers.python import Frame
    from migrator.readers.python_eval import Evaluator

# q -> (tool, leading options)
_TOOLS = {
    "os.remove": ("rm", ("-f",)),
    "os.unlink": ("rm", ("-f",)),
    "shutil.rmtree": ("rm", ("-rf",)),
    "os.makedirs": ("mkdir", ("-p",)),
    "os.mkdir": ("mkdir", ()),
    "shutil.copy": ("cp", ()),
    "shutil.copy2": ("cp", ("-p",)),
    "shutil.copyfile": ("cp", ()),
    "shutil.copytree": ("cp", ("-r",)),
    "shutil.move": ("mv", ()),
    "os.rename": ("mv", ()),
    "os.replace": ("mv", ()),
    "os.rmdir": ("rmdir", ()),
}


def _synthetic(ev: Evaluator, text: str, node: cst.CSTNode) -> Word:
    """A word the Python call implies but does not write (`rm`, `-p`): at the callee."""
    s = ev.src.span(node)
    return Word(ev.src.code(node), text, s)


def file_operation(ev: Evaluator, node: cst.Call, frame: Frame, q: str,
                   args: list[Any]) -> Command | None:
    if q in ("os.chmod", "pathlib.Path.chmod") and len(args) >= 2 and isinstance(args[1], int):
        mode = format(args[1], "o")
        argv = [_synthetic(ev, "chmod", node.func), word(ev, Str.at(mode, 0, 0), arg_node(
            node, 1)), word(ev, args[0], arg_node(node, 0))]
        return make_command(ev, frame, argv, node)
    if q not in _TOOLS or not args or not all(isinstance(a, Str) for a in args[:2]):
        return None
    tool, options = _TOOLS[q]
    argv = [_synthetic(ev, tool, node.func), *(_synthetic(ev, o, node.func) for o in options)]
    count = 2 if tool in ("cp", "mv") else 1
    argv.extend(word(ev, a, arg_node(node, i)) for i, a in enumerate(args[:count]))
    return make_command(ev, frame, argv, node)
