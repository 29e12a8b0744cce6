"""One parsed Python file: its text, its libcst tree, and where each node is in the text.

The spans come from one span-recording code-generation pass (what libcst's
`ByteSpanPositionProvider` does, in characters, without `MetadataWrapper`'s extra walk).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.metadata.span_provider import CodeSpan, SpanProvidingCodegenState

from migrator.model import Loc, Span, Unsupported
from migrator.readers.shell import Lines


@dataclass
class Source:
    """One parsed file: the text, its tree, and character positions of its nodes."""

    path: str
    text: str
    module: cst.Module
    positions: Mapping[cst.CSTNode, Any]
    lines: Lines
    project_modules: frozenset[str] = frozenset()
    overrides: Mapping[str, str] = field(default_factory=dict)

    def span(self, node: cst.CSTNode) -> Span:
        p = self.positions[node]
        return Span(p.start, p.start + p.length)

    def loc(self, node: cst.CSTNode) -> Loc:
        return Loc(self.path, self.lines.line(self.span(node).start))

    def code(self, node: cst.CSTNode) -> str:
        s = self.span(node)
        return self.text[s.start : s.end]

    def line_span(self, node: cst.CSTNode) -> Span:
        """The whole lines of a statement, its trailing comment and newline included."""
        s = self.span(node)
        start = self.text.rfind("\n", 0, s.start) + 1
        end = self.text.find("\n", s.end)
        return Span(start, len(self.text) if end < 0 else end + 1)


def parse(path: str, text: str, project_modules: frozenset[str] = frozenset(),
          overrides: Mapping[str, str] | None = None) -> Source:
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise Unsupported(Loc(path, max(exc.raw_line, 1)),
                          f"cannot parse Python: {exc.message}") from None
    return Source(path, text, module, _spans(module), Lines(text),
                  project_modules, dict(overrides or {}))


class _Computed:
    """Where libcst's span-recording code generation puts what it finds."""

    def __init__(self) -> None:
        self._computed: dict[cst.CSTNode, Any] = {}


def _spans(module: cst.Module) -> dict[cst.CSTNode, Any]:
    """Every node's (start, length) in characters, from one code-generation pass.

    What `ByteSpanPositionProvider` does, without `MetadataWrapper.resolve`'s extra walk of the
    whole tree and in characters rather than bytes: a third of the reading time of a 500-line
    script (benchmarks/python_reader.py)."""
    computed = _Computed()
    state = _SpanState(default_indent=module.default_indent,
                       default_newline=module.default_newline,
                       provider=computed)  # type: ignore[arg-type]
    module._codegen(state)
    return computed._computed


# Nodes whose place nothing asks for: whitespace, commas, operators (most of a tree's nodes).
_UNPLACED = frozenset({
    cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.Newline,
    cst.EmptyLine, cst.Comma, cst.Dot, cst.LeftParen, cst.RightParen, cst.LeftSquareBracket,
    cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.AssignEqual,
    cst.AssignTarget, cst.Colon, cst.Semicolon, cst.Comment, cst.Annotation,
})


@dataclass(frozen=False)
class _SpanState(SpanProvidingCodegenState):
    def before_codegen(self, node: cst.CSTNode) -> None:
        if type(node) not in _UNPLACED:
            self._stack.append(self.position)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if type(node) not in _UNPLACED:
            start = self._stack.pop()
            self.provider._computed.setdefault(node, CodeSpan(start, self.position - start))
