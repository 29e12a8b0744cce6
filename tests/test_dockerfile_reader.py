"""The Dockerfile reader: stages of instructions, each with its verbatim text and its place.

The reader takes bytes, not a path: any file name works, and the text it keeps is exactly the
text of the file, so edits can be spliced into it.
"""

from __future__ import annotations

import pytest

from migrator.model import Dockerfile, Instruction, Loc, Unsupported
from migrator.readers.dockerfile import read_dockerfile


def read(text: str, path: str = "Dockerfile") -> Dockerfile:
    return read_dockerfile(path, text.encode("utf-8"))


def body(df: Dockerfile, stage: int = 0) -> list[Instruction]:
    return list(df.stages[stage].body)


def keywords(df: Dockerfile) -> list[list[str]]:
    return [[st.from_.keyword, *(i.keyword for i in st.body)] for st in df.stages]


def unsupported(data: bytes, path: str = "Dockerfile") -> Loc | None:
    with pytest.raises(Unsupported) as caught:
        read_dockerfile(path, data)
    return caught.value.problem.loc


# ---------------------------------------------------------------- heredocs


def test_heredoc_body_stays_in_its_run() -> None:
    """A `RUN <<EOF` body line that reads `FROM nothing` is body text, not a new stage."""
    df = read(
        "# syntax=docker/dockerfile:1.4\n"
        "FROM golang:1.21\n"
        "RUN <<EOF\n"
        "set -e\n"
        "FROM nothing\n"
        "EOF\n"
        "CMD [\"/app\"]\n"
    )
    assert keywords(df) == [["FROM", "RUN", "CMD"]]
    run, cmd = body(df)
    assert run.text == "RUN <<EOF\nset -e\nFROM nothing\nEOF"
    assert run.loc == Loc("Dockerfile", 3)
    assert cmd.loc == Loc("Dockerfile", 7)


def test_tab_stripped_heredoc_ends_at_an_indented_delimiter() -> None:
    """`RUN <<-EOT` ends at a tab-indented `EOT`; the tabs stay in the text."""
    df = read("FROM alpine\nRUN <<-EOT\n\techo hi\n\tEOT\nCMD x\n")
    assert keywords(df) == [["FROM", "RUN", "CMD"]]
    assert body(df)[0].text == "RUN <<-EOT\n\techo hi\n\tEOT"


def test_two_heredocs_in_one_run_stay_in_it() -> None:
    """`RUN <<A ... <<B` takes both bodies, one after the other."""
    df = read("FROM alpine\nRUN <<A cat > /a && <<B cat > /b\naaa\nA\nbbb\nB\nCMD x\n")
    assert keywords(df) == [["FROM", "RUN", "CMD"]]
    assert body(df)[0].text == "RUN <<A cat > /a && <<B cat > /b\naaa\nA\nbbb\nB"
    assert body(df)[1].loc == Loc("Dockerfile", 7)


def test_heredoc_in_copy_stays_in_it() -> None:
    """`COPY <<EOF /dest` takes its body, and its last argument is still the destination."""
    df = read("FROM alpine\nCOPY <<EOF /etc/app.conf\nFROM x\nEOF\n")
    (copy,) = body(df)
    assert copy.text == "COPY <<EOF /etc/app.conf\nFROM x\nEOF"
    assert copy.args[-1] == "/etc/app.conf"


def test_quoted_heredoc_marker_is_not_a_heredoc() -> None:
    """`<<b` inside quotes is shell text: the next line is an instruction of its own."""
    df = read('FROM alpine\nRUN echo "a <<b"\nCMD ["x"]\n')
    assert keywords(df) == [["FROM", "RUN", "CMD"]]
    assert body(df)[0].text == 'RUN echo "a <<b"'


# ---------------------------------------------------------------- directives


def test_escape_directive_with_backtick_continuations() -> None:
    """`# escape=`` makes a backtick continue the line."""
    df = read("# escape=`\nFROM mcr.microsoft.com/windows\nRUN echo a `\n    && echo b\nCMD x\n")
    assert df.escape == "`"
    run, cmd = body(df)
    assert run.text == "RUN echo a `\n    && echo b"
    assert cmd.loc == Loc("Dockerfile", 5)


def test_default_escape_is_backslash() -> None:
    """Without a directive the escape character is a backslash."""
    assert read("FROM alpine\n").escape == "\\"


def test_syntax_directive() -> None:
    """`# syntax=` is read from the directives at the top of the file."""
    assert read("# syntax=docker/dockerfile:1.4\nFROM alpine\n").syntax == "docker/dockerfile:1.4"
    assert read("FROM alpine\n").syntax is None


def test_syntax_and_escape_together() -> None:
    """Both directives are read when given one after the other."""
    df = read("# syntax=docker/dockerfile:1\n# escape=`\nFROM alpine\n")
    assert (df.syntax, df.escape) == ("docker/dockerfile:1", "`")


# ---------------------------------------------------------------- forms and arguments


def test_copy_in_json_form() -> None:
    """`COPY ["a b", "c", "/d/"]` gives the JSON items as arguments, spaces kept."""
    (copy,) = body(read('FROM alpine\nCOPY ["a b", "c", "/d/"]\n'))
    assert copy.json_form
    assert copy.args == ("a b", "c", "/d/")


def test_copy_in_shell_form_with_flags() -> None:
    """`COPY --chown=0:0 --from=x a b /d/` gives flags in order, then sources and destination."""
    (copy,) = body(read("FROM alpine\nCOPY --chown=0:0 --from=x a b /d/\n"))
    assert not copy.json_form
    assert copy.flags == ("--chown=0:0", "--from=x")
    assert copy.args == ("a", "b", "/d/")
    assert copy.flag("from") == "x"


def test_copy_in_json_form_with_a_flag() -> None:
    """A flag before the JSON list is a flag; the list gives the arguments."""
    (copy,) = body(read('FROM alpine\nCOPY --chown=1:1 ["x y", "/z/"]\n'))
    assert copy.json_form
    assert copy.flags == ("--chown=1:1",)
    assert copy.args == ("x y", "/z/")


# ---------------------------------------------------------------- stages


def test_arg_before_from_is_the_header() -> None:
    """ARGs before the first FROM land in the header, not in a stage."""
    df = read("ARG VERSION=1.21\nARG BASE\nFROM golang:$VERSION\nARG VERSION\n")
    assert [i.text for i in df.header] == ["ARG VERSION=1.21", "ARG BASE"]
    assert [i.text for i in body(df)] == ["ARG VERSION"]


def test_from_with_platform_and_name() -> None:
    """`FROM --platform=$BUILDPLATFORM img AS name` gives the image, platform and name."""
    df = read("FROM --platform=$BUILDPLATFORM golang:1.21 AS build\nFROM scratch\n")
    first, second = df.stages
    assert (first.index, first.name, first.base, first.platform) == (
        0, "build", "golang:1.21", "$BUILDPLATFORM")
    assert (second.index, second.name, second.base, second.platform) == (1, None, "scratch", None)


def test_stage_names_are_found_in_any_case() -> None:
    """A stage is found by its name whatever the case, or by its index."""
    df = read("FROM a AS Builder\nfrom b as final\n")
    assert df.stage("builder") is df.stages[0]
    assert df.stage("FINAL") is df.stages[1]
    assert df.stage("1") is df.stages[1]
    assert df.stage("other") is None


def test_each_stage_has_its_own_body() -> None:
    """Instructions belong to the stage whose FROM comes before them."""
    df = read("FROM a AS build\nRUN make\nFROM b\nCOPY --from=build /x /x\nCMD x\n")
    assert keywords(df) == [["FROM", "RUN"], ["FROM", "COPY", "CMD"]]


# ---------------------------------------------------------------- verbatim text and places


def test_text_is_kept_byte_for_byte() -> None:
    """Trailing spaces and continuation lines stay in the instruction text as written."""
    text = (
        "FROM alpine:latest  \n"
        "RUN apk add \\\n      curl   \\\n  && true   \n"
        'CMD ["./app"]  \n'
    )
    df = read(text)
    run, cmd = body(df)
    assert df.stages[0].from_.text == "FROM alpine:latest  "
    assert run.text == "RUN apk add \\\n      curl   \\\n  && true   "
    assert cmd.text == 'CMD ["./app"]  '
    assert df.text == text


def test_span_covers_whole_lines() -> None:
    """An instruction's span is its lines, final newline included, in the file's text."""
    text = "FROM alpine\n\nRUN a \\\n  b\nCMD c"
    df = read(text)
    run, cmd = body(df)
    assert text[run.span.start : run.span.end] == "RUN a \\\n  b\n"
    assert text[cmd.span.start : cmd.span.end] == "CMD c"
    assert (run.loc, cmd.loc) == (Loc("Dockerfile", 3), Loc("Dockerfile", 5))


def test_any_file_name_is_read() -> None:
    """A file named `build.df` is read, and its locations name it."""
    df = read("FROM node:20 AS build\nRUN npm ci\n", path="build.df")
    assert df.path == "build.df"
    assert df.stages[0].from_.loc == Loc("build.df", 1)
    assert body(df)[0].loc == Loc("build.df", 2)


def test_byte_order_mark_is_ignored() -> None:
    """A UTF-8 byte order mark before the first FROM is not part of the instruction."""
    df = read_dockerfile("Dockerfile", b"\xef\xbb\xbfFROM alpine\nCMD x\n")
    assert df.stages[0].base == "alpine"
    assert keywords(df) == [["FROM", "CMD"]]


# ---------------------------------------------------------------- bad input


def test_non_utf8_file_is_unsupported_at_its_line() -> None:
    """A byte that is not UTF-8 is reported at the line it is on."""
    assert unsupported(b"FROM alpine\nRUN echo \xff\n") == Loc("Dockerfile", 2)


def test_file_without_from_is_unsupported() -> None:
    """A file of comments only has no stage: Unsupported, located in the file."""
    loc = unsupported(b"# nothing here\n", path="Dockerfile.build")
    assert loc is not None and loc.path == "Dockerfile.build"


def test_instruction_before_from_is_unsupported_at_its_line() -> None:
    """Anything but ARG before the first FROM is reported at its line."""
    assert unsupported(b"ARG X\nRUN true\nFROM alpine\n") == Loc("Dockerfile", 2)
