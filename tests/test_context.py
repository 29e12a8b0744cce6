"""The reader context: following a build into the project files it runs, once, without cycles."""

from __future__ import annotations

from pathlib import Path

from migrator.discover import read_text, scan
from migrator.model import PROJECT, Command, Loc, Span, Unsupported, Word
from migrator.pipeline import Status, analyze
from migrator.readers.context import ReaderContext
from migrator.readers.shell import read_shell
from migrator.settings import Settings


def _project(tmp_path: Path, files: dict[str, str]) -> ReaderContext:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    found, _ = scan(str(tmp_path))
    return ReaderContext(str(tmp_path), found, lambda rel: read_text(str(tmp_path), rel))


def _cmd(line: str, cwd: str = PROJECT) -> Command:
    argv = tuple(Word(w, w, Span(0, 0)) for w in line.split())
    return Command(argv, Loc("build.sh", 1), Span(0, 0), Span(0, 0), cwd)


def test_commands_of_a_script_run_from_a_subdirectory_carry_their_own_file_and_line(
        tmp_path: Path) -> None:
    """`(cd gateway && ./build.sh)` reads gateway/build.sh in gateway/, lines of that file."""
    ctx = _project(tmp_path, {
        "build.sh": "#!/bin/sh\n(cd gateway && ./build.sh v1)\n",
        "gateway/build.sh": "#!/bin/sh\necho start\ndocker build -t gw:${1:-latest} .\n",
    })
    script = read_shell("build.sh", ctx.text("build.sh"), ctx)
    docker = [c for c in script.commands if c.name == "docker"]
    assert [str(c.loc) for c in docker] == ["gateway/build.sh:3"]
    assert docker[0].file == "gateway/build.sh"
    assert docker[0].cwd == PROJECT + "/gateway"
    assert docker[0].words()[-2] == "gw:v1"
    assert [str(c.loc) for c in docker[0].via] == ["build.sh:2"]


def test_the_calls_that_run_project_files_are_recognised(tmp_path: Path) -> None:
    """Scripts run by path or through a shell, and make with -C, -f, goals and VAR=value."""
    ctx = _project(tmp_path, {"hack/build.sh": "", "sub/Makefile": "all:\n", "x.sh": ""})
    assert ctx.call(_cmd("bash -e hack/build.sh a b")).args == ("a", "b")
    assert ctx.call(_cmd("sh x.sh")).path == "x.sh"
    assert ctx.call(_cmd("./build.sh", PROJECT + "/hack")).path == "hack/build.sh"
    made = ctx.call(_cmd("make -C sub image ARCH=arm64"))
    assert (made.kind, made.path, made.targets, made.variables) == (
        "make", "sub/Makefile", ("image",), (("ARCH", "arm64"),))
    assert ctx.call(_cmd("build.sh")) is None  # found on PATH, not in the project
    assert ctx.call(_cmd("bash -c ./x.sh")) is None
    assert ctx.call(_cmd("./missing.sh")) is None


def test_a_script_that_runs_itself_is_refused_at_the_call(tmp_path: Path) -> None:
    """A cycle is an error with the line of the call that closes it, not endless reading."""
    ctx = _project(tmp_path, {
        "build.sh": "#!/bin/sh\n./hack/build.sh\n",
        "hack/build.sh": "#!/bin/sh\n# run from the top\n./build.sh\n",
    })
    try:
        with ctx.entering("build.sh", None):
            read_shell("build.sh", ctx.text("build.sh"), ctx)
    except Unsupported as exc:
        assert str(exc.problem.loc) == "hack/build.sh:3"
        assert "build.sh -> hack/build.sh -> build.sh" in exc.problem.message
    else:
        raise AssertionError("the cycle was not refused")


def test_a_recursive_make_reads_the_sub_makefile_with_command_line_variables(
        tmp_path: Path) -> None:
    """`$(MAKE) -C sub image TAG=1.2` reads sub/Makefile with TAG fixed, in sub/."""
    ctx = _project(tmp_path, {
        "Makefile": "all:\n\t$(MAKE) -C sub image TAG=1.2\n",
        "sub/Makefile": "TAG = dev\nimage:\n\tdocker build -t app:$(TAG) $(CURDIR)\n",
    })
    from migrator.readers.make import parse_makefile, read_make

    script = read_make(parse_makefile("Makefile", ctx.text("Makefile")), "all", ctx)
    docker = [c for c in script.commands if c.name == "docker"]
    assert [str(c.loc) for c in docker] == ["sub/Makefile:3"]
    assert docker[0].words()[3:] == ("app:1.2", PROJECT + "/sub")


def test_a_build_script_that_runs_itself_exits_with_its_line(tmp_path: Path) -> None:
    """The whole pipeline turns a self-call into a failed outcome naming file:line."""
    (tmp_path / "build.sh").write_text(
        "#!/bin/sh\ndocker build -t app-build -f Dockerfile.build .\n"
        "docker create --name x app-build\ndocker cp x:/app ./app\n./build.sh\n")
    out = analyze(str(tmp_path), Settings())
    assert out.status is Status.FAILED
    assert str(out.problems[0].loc) == "build.sh:5"


def test_a_builder_entrypoint_script_is_read_from_the_file_the_dockerfile_copied(
        tmp_path: Path) -> None:
    """`--entrypoint=script/build/entry` in an image whose Dockerfile did `COPY . .` under
    WORKDIR /code reads the project's script/build/entry, in /code, with its own lines."""
    from migrator.readers.dockerfile import read_dockerfile
    from migrator.readers.image_script import container_script

    ctx = _project(tmp_path, {
        "Dockerfile": "FROM python:3.7\nWORKDIR /code\nCOPY requirements.txt ./\nCOPY . .\n",
        "requirements.txt": "pyinstaller\n",
        "script/build/entry": "#!/bin/bash\nset -ex\npyinstaller app.spec\n"
                              "mv dist/app dist/app-$(uname -s)\n",
    })
    df = read_dockerfile("Dockerfile", ctx.text("Dockerfile").encode())
    read = container_script(ctx, df, ".", ["script/build/entry"], Loc("build.sh", 4))
    assert read is not None
    assert [(c.name, str(c.loc), c.cwd) for c in read.commands if c.name != "set"] == [
        ("pyinstaller", "script/build/entry:3", "/code"), ("mv", "script/build/entry:4", "/code")]
    assert container_script(ctx, df, ".", ["bash", "-c", "make"], Loc("build.sh", 4)) is None
    assert container_script(ctx, df, ".", ["/usr/bin/make"], Loc("build.sh", 4)) is None
    copied = container_script(ctx, df, ".", ["sh", "/code/requirements.txt"], Loc("x", 1))
    assert copied is not None  # a file COPY'd into the WORKDIR by name
