"""The Python script editor (migrator.pyedit): what goes, what stays, and how the final build
is changed in the form its call is written in. Each test migrates a small project with the CLI
and reads the rewritten script, which must still compile."""

from __future__ import annotations

import py_compile
import textwrap
from pathlib import Path

import pytest

from migrator.cli import run

BUILDER = "FROM alpine:3.18\nARG VERSION=0\nRUN mkdir /out && echo $VERSION > /out/v.txt\n"
RUNTIME = "FROM alpine:3.18\nCOPY v.txt /v.txt\n"


def migrated(tmp_path: Path, script: str, name: str = "build.py") -> str:
    project = tmp_path / "p"
    project.mkdir()
    (project / "Dockerfile.build").write_text(BUILDER)
    (project / "Dockerfile").write_text(RUNTIME)
    (project / name).write_text(textwrap.dedent(script))
    assert run([str(project)]) == 0
    py_compile.compile(str(project / name), doraise=True)
    return (project / name).read_text()


def test_sdk_final_build_gets_the_builder_buildargs(tmp_path: Path) -> None:
    """The builder's `buildargs` entries move to the final `images.build()`, as written."""
    out = migrated(tmp_path, """\
        import docker

        VERSION = "2.1"
        client = docker.from_env()
        client.images.build(path=".", dockerfile="Dockerfile.build", tag="b",
                            buildargs={"VERSION": VERSION})
        box = client.containers.create("b", name="x")
        bits, _ = box.get_archive("/out/v.txt")
        import tarfile, io
        tarfile.open(fileobj=io.BytesIO(b"".join(bits))).extractall(".")
        box.remove()
        client.images.build(path=".", tag="app")  # the image we ship
    """)
    assert 'client.images.build(path=".", tag="app", buildargs={"VERSION": VERSION})' \
        '  # the image we ship' in out
    assert "get_archive" not in out and "import tarfile" not in out


def test_string_final_build_gets_escaped_shell_text(tmp_path: Path) -> None:
    """A builder arg known only as a Python list element reaches a `shell=True` final build as
    quoted shell text."""
    out = migrated(tmp_path, """\
        import subprocess
        subprocess.run(["docker", "build", "--build-arg", "VERSION=1 2", "-t", "b",
                        "-f", "Dockerfile.build", "."])
        subprocess.run(["docker", "create", "--name", "x", "b"])
        subprocess.run(["docker", "cp", "x:/out/v.txt", "v.txt"])
        subprocess.run("docker build -t app .", shell=True)
    """)
    assert "subprocess.run(\"docker build --build-arg 'VERSION=1 2' -t app .\", shell=True)" \
        in out


def test_imports_stay_while_anything_uses_them(tmp_path: Path) -> None:
    """`shutil` stays (the kept cleanup uses it); comments and unrelated code are untouched; a
    block whose only statement went keeps a `pass` where its `else` still runs."""
    out = migrated(tmp_path, """\
        import os
        import shutil
        import subprocess

        # Build everything.
        if os.environ.get("FAST"):
            subprocess.run(["docker", "build", "-t", "b", "-f", "Dockerfile.build", "."])
        else:
            print("slow path")  # keep me
        subprocess.run(["docker", "create", "--name", "x", "b"])
        subprocess.run(["docker", "cp", "x:/out/v.txt", "v.txt"])
        shutil.rmtree("tmp", ignore_errors=True)
        subprocess.run(["docker", "build", "-t", "app", "."])
    """)
    assert "import shutil\nimport subprocess\n" in out
    assert "# Build everything.\n" in out and 'print("slow path")  # keep me' in out
    assert 'if os.environ.get("FAST"):\n    pass\nelse:' in out


def test_a_statement_that_also_runs_kept_steps_is_refused(tmp_path: Path) -> None:
    """One line that runs a builder step and a kept step cannot lose only one: exit 3."""
    project = tmp_path / "p"
    project.mkdir()
    (project / "Dockerfile.build").write_text(BUILDER)
    (project / "Dockerfile").write_text(RUNTIME)
    (project / "build.py").write_text(textwrap.dedent("""\
        import subprocess
        subprocess.run(["docker", "build", "-t", "b", "-f", "Dockerfile.build", "."])
        subprocess.run(["docker", "create", "--name", "x", "b"])
        subprocess.run(["docker", "cp", "x:/out/v.txt", "v.txt"]); subprocess.run(["date"])
        subprocess.run(["docker", "build", "-t", "app", "."])
    """))
    before = (project / "build.py").read_text()
    assert run([str(project)]) == 3
    assert (project / "build.py").read_text() == before


def test_dry_run_diff_shows_the_python_change(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """`--dry-run` prints the script's diff and writes nothing."""
    project = tmp_path / "p"
    project.mkdir()
    (project / "Dockerfile.build").write_text(BUILDER)
    (project / "Dockerfile").write_text(RUNTIME)
    text = ('import subprocess\nsubprocess.run(["docker", "build", "-t", "b", "-f", '
            '"Dockerfile.build", "."])\nsubprocess.run(["docker", "create", "--name", "x", '
            '"b"])\nsubprocess.run(["docker", "cp", "x:/out/v.txt", "v.txt"])\n'
            'subprocess.run(["docker", "build", "-t", "app", "."])\n')
    (project / "build.py").write_text(text)
    capsys.readouterr()
    assert run(["--dry-run", str(project)]) == 1
    out = capsys.readouterr().out
    assert "build.py" in out
    assert '-subprocess.run(["docker", "create", "--name", "x", "b"])' in out
    assert (project / "build.py").read_text() == text
