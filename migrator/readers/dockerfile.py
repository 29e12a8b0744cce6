"""Read a Dockerfile into instructions with verbatim text and line spans.

dockerfile-parse finds the instructions, continuations and the `# escape=` directive. It reads
heredoc bodies (`RUN <<EOF ... EOF`, Dockerfile syntax 1.4+) line by line as if they were
instructions; we fold every such body back into the instruction that opened it.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from migrator.model import Dockerfile, Instruction, Loc, Span, Stage, Unsupported

_HEREDOC = re.compile(r"<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_SYNTAX = re.compile(r"^\s*#\s*syntax\s*=\s*(\S+)\s*$", re.I)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, c in enumerate(text):
        if c == "\n":
            starts.append(i + 1)
    starts.append(len(text))
    return starts


def _fold_heredocs(items: list[dict[str, Any]], lines: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    skip_until = -1
    for item in items:
        if item["startline"] <= skip_until:
            continue
        if item["instruction"] in ("RUN", "COPY", "ADD"):
            end = item["endline"]
            for strip_tabs, _, word in _heredoc_markers(item["value"]):
                k = end + 1
                while k < len(lines):
                    line = lines[k].rstrip("\r\n")
                    if (line.lstrip("\t") if strip_tabs else line) == word:
                        break
                    k += 1
                end = min(k, len(lines) - 1)
            if end != item["endline"]:
                item = {**item, "endline": end}
                skip_until = end
        out.append(item)
    return out


def _heredoc_markers(value: str) -> list[tuple[str, str, str]]:
    """`<<EOF` markers outside quotes (BuildKit splits the line into words first)."""
    found: list[tuple[str, str, str]] = []
    quote: str | None = None
    i = 0
    while i < len(value):
        c = value[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif value.startswith("<<", i):
            m = _HEREDOC.match(value, i)
            if m:
                found.append((m.group(1), m.group(2), m.group(3)))
                i = m.end()
                continue
        i += 1
    return found


def split_args(value: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """Flags, arguments and whether the JSON form was used, for FROM/COPY/ADD values."""
    words = value.split()
    flags: list[str] = []
    while words and words[0].startswith("--"):
        flags.append(words.pop(0))
    rest = value.strip()
    for f in flags:
        rest = rest[rest.index(f) + len(f) :].lstrip()
    if rest.startswith("["):
        try:
            parsed = json.loads(rest)
            if isinstance(parsed, list) and all(isinstance(x, str) for x in parsed):
                return tuple(flags), tuple(parsed), True
        except ValueError:
            pass
    return tuple(flags), tuple(rest.split()), False


def read_dockerfile(path: str, data: bytes) -> Dockerfile:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unsupported(Loc(path, text_line(data, exc.start)), "not UTF-8 text") from None
    from dockerfile_parse import DockerfileParser

    # A byte-order mark is not part of the first instruction (BuildKit drops it too); it stays
    # in `text`, so spans and rewrites keep it.
    parser = DockerfileParser(fileobj=io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")),
                              env_replace=False)
    items = parser.structure
    escape, syntax = _directives(items)
    instructions, comments = _instructions(path, text, items)
    header, stages = _stages(path, instructions)
    return Dockerfile(path, text, escape, syntax, tuple(header), tuple(stages), tuple(comments))


def _directives(items: list[dict[str, Any]]) -> tuple[str, str | None]:
    """The `# escape=` character and the `# syntax=` image from the parser directives: the
    comment lines that open the file, before any blank line, other comment or instruction."""
    escape = "\\"
    syntax = None
    for line, item in enumerate(items):
        if item["instruction"] != "COMMENT" or item["startline"] != line:
            break
        m = _SYNTAX.match(item["content"])
        m2 = re.match(r"^\s*#\s*escape\s*=\s*(\S)\s*$", item["content"], re.I)
        if m:
            syntax = m.group(1)
        elif m2:
            escape = m2.group(1)
        elif not re.match(r"^\s*#\s*check\s*=", item["content"], re.I):
            break  # an ordinary comment: what follows is no directive
    return escape, syntax


def _instructions(path: str, text: str, items: list[dict[str, Any]]
                  ) -> tuple[list[Instruction], list[Span]]:
    """Every instruction with its verbatim text and span (heredoc bodies folded in), and the
    comment lines."""
    lines = text.splitlines(keepends=True)
    starts = _line_starts(text)
    instructions: list[Instruction] = []
    comments: list[Span] = []
    for item in _fold_heredocs(items, lines):
        begin, end = starts[item["startline"]], starts[min(item["endline"] + 1, len(starts) - 1)]
        span = Span(begin, end)
        if item["instruction"] == "COMMENT":
            comments.append(span)
            continue
        keyword = item["instruction"].upper()
        flags: tuple[str, ...] = ()
        args: tuple[str, ...] = ()
        json_form = False
        if keyword in ("FROM", "COPY", "ADD"):
            first_line = item["value"].split("\n", 1)[0]
            flags, args, json_form = split_args(first_line if "<<" in first_line
                                                else item["value"])
        instructions.append(
            Instruction(keyword, text[begin:end].rstrip("\n"), span,
                        Loc(path, item["startline"] + 1), flags, args, json_form)
        )
    return instructions, comments


def _stages(path: str, instructions: list[Instruction]) -> tuple[list[Instruction], list[Stage]]:
    """The global ARGs before the first FROM, and the stages."""
    header: list[Instruction] = []
    stages: list[Stage] = []
    current: list[Instruction] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            if stages:
                stages[-1] = _with_body(stages[-1], current)
            current = []
            stages.append(_stage(len(stages), ins))
        elif stages:
            current.append(ins)
        elif ins.keyword == "ARG":
            header.append(ins)
        else:
            raise Unsupported(ins.loc, f"{ins.keyword} before the first FROM")
    if not stages:
        raise Unsupported(Loc(path, 1), "no FROM instruction")
    stages[-1] = _with_body(stages[-1], current)
    return header, stages


def _stage(index: int, ins: Instruction) -> Stage:
    args = list(ins.args)
    name = None
    if len(args) >= 3 and args[-2].lower() == "as":
        name = args[-1]
        args = args[:-2]
    if not args:
        raise Unsupported(ins.loc, "FROM without an image")
    return Stage(index, name, args[0], ins.flag("platform"), ins, ())


def _with_body(stage: Stage, body: list[Instruction]) -> Stage:
    return Stage(stage.index, stage.name, stage.base, stage.platform, stage.from_, tuple(body))


def text_line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
