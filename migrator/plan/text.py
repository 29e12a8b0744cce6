"""Small text helpers over Dockerfile instructions and build options, shared by the planners."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Sequence

from migrator.model import Instruction, Stage, Word
from migrator.sources import context_path

PROXY_ARGS = {
    name
    for base in ("http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy")
    for name in (base, base.upper())
}
DIRECTIVE = re.compile(r"^\s*#\s*(syntax|escape|check)\s*=", re.I)


def leading_comments_start(text: str, ins: Instruction) -> int:
    """Start of the comment lines directly above an instruction (no blank line between)."""
    return comments_above(text, ins.span.start)


def comments_above(text: str, start: int) -> int:
    """Start of the `#` lines directly above offset `start` (a line start), parser directives
    excepted."""
    while start > 0:
        prev_start = text.rfind("\n", 0, start - 1) + 1
        line = text[prev_start:start]
        if line.lstrip().startswith("#") and not DIRECTIVE.match(line):
            start = prev_start
        else:
            break
    return start


def rewrite_from(ins: Instruction, base: str | None, name: str,
                 platform: str | None = None) -> str:
    """The FROM text with the stage named `name` (and the base renamed, for an earlier stage;
    and the builder build's `--platform`, where the line has none)."""
    text = ins.text
    if platform and ins.flag("platform") is None:
        text = re.sub(r"^(\s*\S+)", lambda m: f"{m.group(1)} --platform={platform}", text,
                      count=1)
    if base is not None:
        text = re.sub(r"(\s)" + re.escape(ins.args[0]) + r"(\s|$)", lambda m: m.group(1) + base
                      + m.group(2), text, count=1)
    m = re.search(r"\s+[Aa][Ss]\s+(\S+)\s*$", text)
    if m:
        return text[: m.start(1)] + name + text[m.end(1) :]
    stripped = text.rstrip()
    return f"{stripped} AS {name}{text[len(stripped):]}"


def copy_text(ins: Instruction, flags: Sequence[str], args: Sequence[str]) -> str:
    keyword = ins.text.split(None, 1)[0]
    if ins.json_form:
        return " ".join([keyword, *flags, json.dumps(list(args))])
    return " ".join([keyword, *flags, *args])


def relative_source(source: str, old_ctx: str, new_ctx: str,
                    staged: Sequence[tuple[str, str]] = ()) -> str:
    path = context_path(old_ctx, source, staged)
    trailing = "/" if path.endswith("/") else ""
    rel = posixpath.relpath(path.rstrip("/") or ".", new_ctx)
    return (rel + trailing) if rel != "." else ("./" if trailing else ".")


def user_in(stages: Sequence[Stage]) -> bool:
    return any(i.keyword == "USER" for s in stages for i in s.body)


def arg_name(ins: Instruction) -> str:
    body = ins.text.split(None, 1)[1] if " " in ins.text.strip() else ""
    return body.split("=", 1)[0].strip()


def option(options: Sequence[Word], name: str) -> str | None:
    """The value of a build option kept in `BuildOp.options` (`--platform x`, `--platform=x`)."""
    for i, w in enumerate(options):
        if w.value == name and i + 1 < len(options):
            return options[i + 1].value
        if w.value.startswith(name + "="):
            return w.value.split("=", 1)[1]
    return None


# Instructions whose text the Dockerfile parser hands on without escape processing (the shell
# or JSON reads it): only their line continuations carry the escape character.
_RAW = {"RUN", "CMD", "ENTRYPOINT", "SHELL", "HEALTHCHECK", "ONBUILD"}


def reescape(ins: Instruction, old: str, new: str) -> str:
    """An instruction written under `# escape=old` as it reads under `# escape=new`: line
    continuations change character; in word-processed instructions an escaped character is
    escaped with `new`, and a literal `new` is escaped."""
    lines = ins.text.split("\n")
    if any(m.startswith("<<") for m in lines[0].split()):
        return ins.text  # heredoc bodies are not continuation lines
    out = []
    for i, line in enumerate(lines):
        body, tail = line, ""
        stripped = line.rstrip()
        if i < len(lines) - 1 and stripped.endswith(old):
            body, tail = stripped[: -len(old)], new + line[len(stripped):]
        if ins.keyword not in _RAW and not body.lstrip().startswith("#"):
            body = _reescape_words(body, old, new)
        out.append(body + tail)
    return "\n".join(out)


def _reescape_words(text: str, old: str, new: str) -> str:
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == old and i + 1 < len(text):
            out.append(new + text[i + 1])
            i += 2
            continue
        out.append(new + new if c == new else c)
        i += 1
    return "".join(out)
