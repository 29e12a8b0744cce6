"""Control flow as bash runs it: `&&`/`||` lists, pipelines, `if`/`elif`/`else`, `case`, `for`,
`while`/`until`, `!`. A condition the reader can decide (`[ "$ARCH" = x86_64 ]` with ARCH known)
takes its branch; one it cannot walks every branch on a copy of the frame, marks its commands
conditional, and merges what the paths agree on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from migrator.model import Span
from migrator.readers.shell_frame import Frame, Sym, merge
from migrator.readers.shell_test import evaluate_test, test_words
from migrator.readers.shell_tree import WORDS, flatten
from migrator.readers.shell_words import glob_match

if TYPE_CHECKING:
    from migrator.readers.shell import ShellReader

_MAX_ITERATIONS = 64


class Stop(Exception):
    """Control leaves the statements being walked (`exit`, `return`, `break`)."""


class Exit(Stop):
    pass


class Return(Stop):
    pass


class Break(Stop):
    pass


def maybe(r: ShellReader, nodes: list[Any], frame: Frame) -> Frame | None:
    """Walk statements that may not run on a copy; None if that path leaves (`exit`)."""
    path = frame.copy(conditional=True)
    try:
        r.statements(nodes, path)
    except Exit:
        return None
    except Stop:
        pass
    return path


def walk(r: ShellReader, node: Any, frame: Frame, cut: Span) -> None:
    kind = node.type
    if kind in ("list", "_replaced"):
        walk_list(r, node, frame)
    elif kind == "pipeline":
        r.shared.pipes += 1
        pid = r.shared.pipes
        parts = [p for p in node.named_children if p.type != "comment"]
        for i, part in enumerate(parts):
            if part.type in ("command", "redirected_statement"):
                # The head of a pipeline goes with its `|` when only it is dead (`docker run B |
                # docker build -` now builds from the project); the rest takes the pipeline.
                head = (r._frag.span(r._pos(part)[0], r._pos(parts[1])[0])
                        if i == 0 and len(parts) > 1 else cut)
                r.command(part, frame, head, pipe=(pid, i))
            else:
                r.walk(part, frame, cut)
    elif kind == "negated_command":
        for child in node.named_children:
            r.walk(child, frame, cut)
    elif kind == "if_statement":
        walk_if(r, node, frame)
    elif kind == "case_statement":
        walk_case(r, node, frame)
    elif kind == "for_statement":
        walk_for(r, node, frame)
    elif kind in ("while_statement", "until_statement", "c_style_for_statement"):
        walk_while(r, node, frame)
    elif kind in ("test_command",):
        r.substituted(node, frame, cut, captured=None)
    # comments, arithmetic and the like carry no command


def walk_list(r: ShellReader, node: Any, frame: Frame) -> None:
    """`a && b || c`: tree-sitter nests lists to the left; walk the items in order."""
    items, ops = flatten(node)
    status: bool | None = True
    for i, item in enumerate(items):
        a, b = r._pos(item)
        if i + 1 < len(items):
            cut = r._frag.span(a, r._pos(items[i + 1])[0])
        elif i > 0:
            cut = r._frag.span(r._pos(items[i - 1])[1], b)
        else:
            cut = r._frag.span(a, b)
        op = ops[i - 1] if i else None
        runs = True if op is None else (status if op == "&&" else
                                        None if status is None else not status)
        if runs is False:
            continue
        if runs is None and op == "||":
            path = frame.copy(conditional=True)
            try:
                r.walk(item, path, cut)
            except Exit:
                status = None
                continue
            merge(frame, [frame.copy(), path])
            status = None
            continue
        # `&&`: the next command runs when the one before succeeds; bash's `set -e` users
        # write it as a sequence, so an unknown status still walks it unconditionally.
        status = condition(r, item, frame, cut)


def condition(r: ShellReader, node: Any, frame: Frame, cut: Span) -> bool | None:
    """Walk a statement used as a condition; True/False when its exit status is known."""
    kind = node.type
    if kind == "test_command":
        r.substituted(node, frame, cut, captured=None)
        return evaluate_test(r, node, frame)
    if kind == "negated_command":
        inner = [c for c in node.named_children if c.type != "comment"]
        value = condition(r, inner[0], frame, cut) if inner else None
        return None if value is None else not value
    if kind == "command":
        words = test_words(r, node, frame)
        if words is not None:
            return words
    r.walk(node, frame, cut)
    return None


def _clauses(node: Any) -> list[tuple[list[Any], list[Any]]]:
    """`if`: (condition statements, body statements) per clause; `else` has no condition."""
    clauses: list[tuple[list[Any], list[Any]]] = []
    cond: list[Any] = []
    body: list[Any] = []
    in_body = False
    for child in node.children:
        if child.type == "then":
            in_body = True
        elif child.type in ("elif_clause", "else_clause"):
            clauses.extend(_clauses(child) if child.type == "elif_clause" else
                           [([], [c for c in child.named_children if c.type != "comment"])])
        elif child.is_named and child.type != "comment":
            (body if in_body else cond).append(child)
    return [(cond, body), *clauses]


def walk_if(r: ShellReader, node: Any, frame: Frame) -> None:
    ends: list[Frame] = []
    rest: Frame | None = frame  # the path where no clause was taken so far
    certain = True
    for cond, body in _clauses(node):
        if rest is None:
            break
        value: bool | None = True
        for c in cond:
            value = condition(r, c, rest, r.span(c))
        if value is False:
            continue
        if value and certain:
            r.statements(body, frame)
            return
        path = maybe(r, body, rest)
        if path is not None:
            ends.append(path)
        if value:
            rest = None
        elif certain:
            rest, certain = frame.copy(conditional=True), False
    if certain:
        return
    merge(frame, [*ends, *([rest] if rest is not None else [])])


def walk_case(r: ShellReader, node: Any, frame: Frame) -> None:
    value_node = node.child_by_field_name("value")
    subject = r.word(value_node, frame, deciding=True) if value_node is not None else None
    items = [c for c in node.named_children if c.type == "case_item"]
    ends: list[Frame] = []
    for item in items:
        patterns = [c for c in item.children if item.field_name_for_child(
            item.children.index(c)) == "value"]
        body = [c for c in item.named_children if c not in patterns and c.type != "comment"]
        words = [r.word(p, frame) for p in patterns]
        if subject is not None and subject.known and all(w.known for w in words):
            if any(glob_match(subject.value, w.value) for w in words):
                if not ends:
                    r.statements(body, frame)
                    return
                path = maybe(r, body, frame)
                ends.extend([path] if path is not None else [])
                break
            continue
        path = maybe(r, body, frame)
        ends.extend([path] if path is not None else [])
    else:
        ends.append(frame.copy())  # no arm taken
    merge(frame, ends)


def walk_for(r: ShellReader, node: Any, frame: Frame) -> None:
    var = node.child_by_field_name("variable")
    name = r.text_of(var) if var is not None else "_"
    body = node.child_by_field_name("body")
    values = [c for c in node.children if c.is_named and c.type in WORDS and c is not var]
    if not any(node.field_name_for_child(i) == "value" for i in range(node.child_count)):
        items: list[str] | None = list(frame.args)
    else:
        items = []
        for v in values:
            fields = r.fields(v, frame)
            if any(not w.known for w in fields) and v.type != "string":
                items = None
                break
            items.extend(w.value if w.known else Sym(w.value) for w in fields)
    if items is None or len(items) > _MAX_ITERATIONS:
        frame.set(name, Sym("${" + name + "}"))
        path = maybe(r, [body], frame)
        merge(frame, [frame.copy(), *([path] if path is not None else [])])
        return
    for item in items:
        frame.set(name, item)
        try:
            r.walk(body, frame, r.span(body))
        except Break:
            break


def walk_while(r: ShellReader, node: Any, frame: Frame) -> None:
    """A loop whose count is not known: its body once, conditionally."""
    conds = [c for i, c in enumerate(node.children)
             if node.field_name_for_child(i) == "condition"]
    path = frame.copy(conditional=True)
    value: bool | None = None
    for c in conds:
        value = condition(r, c, path, r.span(c))
    if node.type == "until_statement" and value is not None:
        value = not value
    if value is False:
        return
    body = node.child_by_field_name("body")
    if body is None:
        return
    after = maybe(r, [body], path)
    merge(frame, [frame.copy(), *([after] if after is not None else [])])
