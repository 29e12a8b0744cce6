"""A builder Dockerfile written under another escape character reads the same after merging."""

from __future__ import annotations

from migrator.plan.text import reescape
from migrator.readers.dockerfile import read_dockerfile

_WINDOWS = b"""# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
COPY build.ps1 C:\\build\\
RUN powershell -Command `
      C:\\build\\build.ps1
ENV GREETING=a`$b
"""


def _body() -> list[str]:
    df = read_dockerfile("Dockerfile.build", _WINDOWS)
    return [reescape(i, df.escape, "\\") for i in df.stages[0].body]


def test_continuations_change_character() -> None:
    """A RUN continued with a backtick continues with a backslash; its text is untouched."""
    assert _body()[1] == "RUN powershell -Command \\\n      C:\\build\\build.ps1"


def test_word_escapes_follow() -> None:
    """A literal backslash in a word is escaped, and `$ becomes \\$."""
    assert _body()[0] == "COPY build.ps1 C:\\\\build\\\\"
    assert _body()[2] == "ENV GREETING=a\\$b"


def test_a_directive_after_a_comment_is_a_comment() -> None:
    """`# escape=` counts only in the opening directive lines, as BuildKit reads them."""
    late = read_dockerfile("Dockerfile", b"# build the tools\n# escape=`\nFROM alpine\n")
    after_blank = read_dockerfile("Dockerfile", b"\n# escape=`\nFROM alpine\n")
    first = read_dockerfile("Dockerfile", b"# syntax=docker/dockerfile:1\n# escape=`\nFROM a\n")
    assert (late.escape, after_blank.escape, first.escape) == ("\\", "\\", "`")
    assert first.syntax == "docker/dockerfile:1"
