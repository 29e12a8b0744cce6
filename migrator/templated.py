"""Dockerfiles generated on the host from a project template by `sed` substitutions.

`sed -e 's|{ARG_BIN}|$(BIN)|g' ... Dockerfile.in > .dockerfile-$(BIN)` then `docker build -f
.dockerfile-$(BIN)`: the build reads the template with the substitutions applied. The migration
edits the template, so that the same `sed` still produces the migrated Dockerfile: lines it
keeps stay as the template wrote them (placeholders and all); lines it writes get the
substituted values turned back into their placeholders, and the result is checked to give
exactly the planned text again when the substitutions are applied.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from migrator.model import Command, Unsupported
from migrator.plan.result import FileChange

_SUB = re.compile(r"s(.)(?P<pat>(?:(?!\1).)+)\1(?P<rep>(?:(?!\1).)*)\1(?P<flags>g?)$")
_REGEX = re.compile(r"[\\.*\[\]^$]")  # a pattern with these is a regular expression: not read


@dataclass(frozen=True)
class Template:
    path: str  # the project file the build's Dockerfile is made from
    subs: tuple[tuple[str, str], ...]  # (placeholder, value), in the order sed applies them
    command: Command

    def apply(self, text: str) -> str:
        return "".join(self._line(line) for line in text.splitlines(keepends=True))

    def _line(self, line: str) -> str:
        for pat, rep in self.subs:
            line = line.replace(pat, rep)
        return line

    def restore(self, line: str) -> str:
        """A planned line with each substituted value written as its placeholder again."""
        for pat, rep in sorted(self.subs, key=lambda s: -len(s[1])):
            if rep:
                line = line.replace(rep, pat)
        return line


def _target(cmd: Command) -> str | None:
    out = [r for r in cmd.redirects if r.op == ">" and r.fd in (None, 1) and r.target]
    return out[-1].target.value if out and out[-1].target else None


def _rel(cmd: Command, path: str) -> str:
    from migrator.interpret import project_rel

    full = path if path.startswith("/") else posixpath.join(cmd.cwd, path)
    return project_rel(full) or path


def _subs(words: list[str]) -> tuple[tuple[str, str], ...] | None:
    """`-e 's|A|B|g'` expressions (or one bare expression) as literal replacements."""
    exprs = [words[i + 1] for i, w in enumerate(words[:-1]) if w in ("-e", "--expression")]
    if not exprs and len(words) == 2:
        exprs = [words[0]]
    out = []
    for e in exprs:
        m = _SUB.match(e)
        if not m or not m.group("flags") or _REGEX.search(m.group("pat")) or \
                "&" in m.group("rep") or "\\" in m.group("rep"):
            return None
        out.append((m.group("pat"), m.group("rep")))
    return tuple(out) if out else None


def template_of(path: str, commands: Iterable[Command], files: Collection[str]) -> Template | None:
    """The template the last `sed ... TEMPLATE > path` before the build made `path` from."""
    found = None
    for cmd in commands:
        argv = [w.value for w in cmd.argv]
        if not argv or posixpath.basename(argv[0]) not in ("sed", "cat"):
            continue
        target = _target(cmd)
        if target is None or _rel(cmd, target) != path or len(argv) < 2:
            continue
        source = _rel(cmd, argv[-1])
        subs = _subs(argv[1:]) if argv[0].endswith("sed") else (() if len(argv) == 2 else None)
        if source in files and subs is not None:
            found = Template(source, subs, cmd)
    return found


def untemplate(change: FileChange, template: Template, original: str) -> FileChange | None:
    """The planned change of a generated Dockerfile as a change of its template (None: the
    substitutions cannot give the planned text back)."""
    if change.new is None or change.old is None:
        return None
    old, new = change.old.splitlines(keepends=True), change.new.splitlines(keepends=True)
    kept = original.splitlines(keepends=True)
    if len(kept) != len(old):
        return None
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        out.extend(kept[i1:i2] if tag == "equal" else map(template.restore, new[j1:j2]))
    text = "".join(out)
    if template.apply(text) != change.new:
        return None
    return FileChange(template.path, original, text)


def into_templates(changes: Iterable[FileChange], generated: Mapping[str, Template],
                   read: Callable[[str], str]) -> tuple[FileChange, ...]:
    """Changes of generated Dockerfiles become changes of their templates; two images made
    from one template must give it the same text."""
    out: dict[str, FileChange] = {}
    for change in changes:
        template = generated.get(change.path)
        if template is None:
            out[change.path] = change
            continue
        done = untemplate(change, template, read(template.path))
        if done is None or (template.path in out and out[template.path] != done):
            raise Unsupported(template.command.loc, f"{change.path} is made from {template.path} "
                                                    "by this command; the migrated Dockerfile "
                                                    "cannot be written back into the template")
        out[template.path] = done
    return tuple(out.values())
