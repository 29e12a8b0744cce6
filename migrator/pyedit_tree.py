"""The Python editor's view of a script: its statements in order, the suite each one is in
and the statement that owns each suite, the names each statement reads and binds, its imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from migrator.readers.python_source import Source


@dataclass
class Tree:
    """The script's statements, with which commands each one starts and what names it uses."""

    src: Source
    statements: list[cst.CSTNode] = field(default_factory=list)  # every statement, in order
    parent: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)  # stmt -> owner
    blocks: dict[cst.CSTNode, list[cst.CSTNode]] = field(default_factory=dict)  # owner -> body
    reads: dict[cst.CSTNode, set[str]] = field(default_factory=dict)  # names in the statement
    binds: dict[cst.CSTNode, set[str]] = field(default_factory=dict)
    imports: dict[cst.CSTNode, list[tuple[str, cst.ImportAlias]]] = field(default_factory=dict)


class Collector(cst.CSTVisitor):
    """Statements in order; each one's suite (`parent`), each suite's owner statement."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self.suites: list[cst.CSTNode] = [tree.src.module]
        self.owners: list[cst.CSTNode] = []

    def _statement(self, node: cst.CSTNode) -> None:
        t = self.tree
        t.statements.append(node)
        t.parent[node] = self.suites[-1]
        t.blocks.setdefault(self.suites[-1], []).append(node)
        t.reads[node], t.binds[node] = _names(node)

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.SimpleStatementLine):
            self._statement(node)
            for small in node.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
                        small.names, cst.ImportStar):
                    self.tree.imports[node] = [(_local(a), a) for a in small.names]
            return False
        if isinstance(node, cst.BaseCompoundStatement):
            self._statement(node)
            self.owners.append(node)
        elif isinstance(node, cst.IndentedBlock):
            self.tree.parent[node] = self.owners[-1]
            self.suites.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, cst.BaseCompoundStatement):
            self.owners.pop()
        elif isinstance(original_node, cst.IndentedBlock):
            self.suites.pop()


def _local(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    code = cst.Module([]).code_for_node(alias.name)
    return code.split(".")[0]


def _names(node: cst.CSTNode) -> tuple[set[str], set[str]]:
    """Names a statement's own code reads and binds (a compound statement: its header only)."""
    reads: set[str] = set()
    bound: set[str] = set()
    parts: list[cst.CSTNode]
    if isinstance(node, cst.SimpleStatementLine):
        parts = list(node.body)
    elif isinstance(node, cst.For):
        parts = [node.iter]
        bound |= all_names(node.target)
    elif isinstance(node, cst.With):
        parts = [i.item for i in node.items]
        for i in node.items:
            if i.asname is not None:
                bound |= all_names(i.asname.name)
    elif isinstance(node, (cst.If, cst.While)):
        parts = [node.test]
    elif isinstance(node, cst.FunctionDef):
        parts = [d.decorator for d in node.decorators]
        parts += [p.default for p in (*node.params.params, *node.params.kwonly_params)
                  if p.default is not None]
        bound.add(node.name.value)
    else:
        parts = []
    for p in parts:
        if isinstance(p, cst.Assign):
            for t in p.targets:
                bound |= all_names(t.target) if isinstance(t.target, (cst.Name, cst.Tuple,
                                                                         cst.List)) else set()
            reads |= all_names(p.value)
        elif isinstance(p, (cst.Import, cst.ImportFrom)):
            continue
        else:
            reads |= all_names(p)
    return reads, bound


def all_names(node: cst.CSTNode) -> set[str]:
    out: set[str] = set()

    class V(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            out.add(n.value)

        def visit_Attribute(self, n: cst.Attribute) -> bool:
            n.value.visit(self)
            return False

    node.visit(V())
    return out
