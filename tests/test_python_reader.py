"""The Python build-script reader: the commands a `build.py` / `tasks.py` / `noxfile.py` would
start, read from real files without running them, with their places in the file; and the
refusals (exit 3, `file:line`, nothing written) for scripts whose flow only running them would
show."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from migrator.cli import run
from migrator.discover import is_python_build_script
from migrator.model import Command
from migrator.readers.python import read_python

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"


def commands(text: str, overrides: dict[str, str] | None = None,
             path: str = "build.py") -> list[Command]:
    scripts = read_python(path, textwrap.dedent(text), overrides=overrides)
    assert len(scripts) == 1
    return list(scripts[0].commands)


def words(text: str, **kw: dict[str, str]) -> list[tuple[str, ...]]:
    return [c.words() for c in commands(text, **kw)]


def test_list_form_words_point_at_their_elements() -> None:
    """Each element of a subprocess list is one word, its span the element's source text."""
    text = 'import subprocess\nsubprocess.run(["docker", "build", "-t", "app", "."])\n'
    (cmd,) = commands(text)
    assert cmd.words() == ("docker", "build", "-t", "app", ".")
    assert str(cmd.loc) == "build.py:2"
    assert [text[w.span.start : w.span.end] for w in cmd.argv] == [
        '"docker"', '"build"', '"-t"', '"app"', '"."']


def test_string_commands_go_through_the_shell_reader() -> None:
    """`shell=True`, `os.system` and `&&` lists: shell words, spans inside the Python literal."""
    text = textwrap.dedent("""\
        import os, subprocess
        subprocess.check_call("docker create --name x img && docker cp x:/a ./a", shell=True)
        os.system("docker rm -f x")
    """)
    cmds = commands(text)
    assert [c.words() for c in cmds] == [("docker", "create", "--name", "x", "img"),
                                         ("docker", "cp", "x:/a", "./a"),
                                         ("docker", "rm", "-f", "x")]
    cp = cmds[1]
    assert text[cp.argv[2].span.start : cp.argv[2].span.end] == "x:/a"
    assert str(cmds[2].loc) == "build.py:3"


def test_values_follow_constants_formatting_and_paths() -> None:
    """Module constants, f-strings, % and .format, os.path.join and pathlib joins."""
    got = words("""
        import os, subprocess
        from pathlib import Path
        NAME = "svc"
        TAG = "%s:%s" % (NAME, "1.2")
        OUT = os.path.join("build", "out")
        subprocess.run(["docker", "build", "-t", f"{NAME}-builder", "-f",
                        str(Path("docker") / "Dockerfile.build"), "."])
        subprocess.run(["docker", "cp", "{}:/bin/{}".format("c", NAME), OUT])
        subprocess.run(["docker", "build", "-t", TAG, "."])
    """)
    assert got == [("docker", "build", "-t", "svc-builder", "-f", "docker/Dockerfile.build", "."),
                   ("docker", "cp", "c:/bin/svc", "build/out"),
                   ("docker", "build", "-t", "svc:1.2", ".")]


def test_environment_defaults_and_set_overrides() -> None:
    """os.environ.get(NAME, default) is the default, or the --set value for NAME."""
    text = """
        import os, subprocess
        V = os.environ.get("VERSION", "dev")
        R = os.getenv("REPO")
        subprocess.run(["docker", "build", "-t", f"{R}:{V}", "."])
    """
    assert words(text)[0][-2] == "${REPO}:dev"
    assert words(text, overrides={"VERSION": "2.0"})[0][-2] == "${REPO}:2.0"


def test_functions_loops_and_the_main_guard() -> None:
    """Functions run with their arguments (defaults where not given), loops over literal
    lists once per item, and `if __name__ == "__main__"` is the entry point."""
    got = words("""
        import subprocess

        def build(name, dockerfile="Dockerfile"):
            subprocess.check_call(["docker", "build", "-f", dockerfile, "-t", name, "."])

        def main():
            for image, df in [("a", "Dockerfile.a"), ("b", "Dockerfile.b")]:
                build(image, dockerfile=df)
            build("final")

        if __name__ == "__main__":
            main()
    """)
    assert [w[3] for w in got] == ["Dockerfile.a", "Dockerfile.b", "Dockerfile"]
    assert [w[5] for w in got] == ["a", "b", "final"]


def test_argparse_defaults() -> None:
    """Options parsed with argparse have their defaults."""
    got = words("""
        import argparse, subprocess
        p = argparse.ArgumentParser()
        p.add_argument("--tag", "-t", default="latest")
        p.add_argument("--push", action="store_true")
        args = p.parse_args()
        if args.push:
            subprocess.run(["docker", "push", "x"])
        subprocess.run(["docker", "build", "-t", "app:" + args.tag, "."])
    """)
    assert got == [("docker", "build", "-t", "app:latest", ".")]


def test_captured_output_names_the_container() -> None:
    """`cid = check_output([... "create" ...])` names the container `${cid}`, as in shell."""
    cmds = commands("""
        import subprocess
        cid = subprocess.check_output(["docker", "create", "img"]).decode().strip()
        subprocess.run(["docker", "cp", f"{cid}:/out", "out"])
    """)
    assert cmds[0].captured == "cid"
    assert cmds[1].words()[2] == "${cid}:/out"


def test_sdk_calls_are_docker_commands() -> None:
    """The Docker SDK's build, create, get_archive unpacked with tarfile, and remove are the
    CLI commands that do the same: the archive is a `docker cp ... - | tar -x -C dir`."""
    cmds = commands("""
        import io, tarfile, docker
        client = docker.from_env()
        client.images.build(path=".", dockerfile="Dockerfile.build", tag="b",
                            buildargs={"V": "1"})
        box = client.containers.create("b")
        stream, _ = box.get_archive("/out/app")
        tarfile.open(fileobj=io.BytesIO(b"".join(stream))).extractall("dist")
        box.remove(force=True)
    """)
    assert [c.words() for c in cmds] == [
        ("docker", "build", "-t", "b", "-f", "./Dockerfile.build", "--build-arg", "V=1", "."),
        ("docker", "create", "b"),
        ("docker", "cp", "${box}:/out/app", "-"),
        ("tar", "-x", "-C", "dist"),
        ("docker", "rm", "-f", "${box}")]
    assert cmds[2].pipe is not None and cmds[3].pipe == (cmds[2].pipe[0], 1)
    assert cmds[1].captured == "box"


def test_discovery_wants_docker_and_an_extraction() -> None:
    """A .py file is a build script when it imports a process or Docker module and copies out
    of a container; tests and docs trees are not."""
    text = 'import subprocess\nsubprocess.run(["docker", "cp", "c:/a", "."])\n'
    assert is_python_build_script("scripts/release/images.py", text)
    assert not is_python_build_script("tests/test_build.py", text)
    assert not is_python_build_script("build.py", "import subprocess\nprint('docker')\n")


BAD = {
    "syntax": ('import subprocess\nsubprocess.run(["docker", "cp", "c:/a", "."]\nx = (\n',
               "build.py:", "cannot parse Python"),
    "eval": ('import subprocess\ncmd = eval("[]")\nsubprocess.run(["docker", "cp", "c:/a", '
             '"."])\n', "build.py:2:", "eval() runs code"),
    "project-import": ('import subprocess\nfrom settings import IMAGE\nsubprocess.run(["docker",'
                       ' "create", "--name", "c", IMAGE])\nsubprocess.run(["docker", "cp", '
                       '"c:/a", "."])\n', "build.py:2:", "project's own module settings"),
    "computed-dockerfile": ('import glob, subprocess\nDF = glob.glob("Dockerfile.*")[0]\n'
                            'subprocess.run(["docker", "build", "-f", DF, "-t", "b", "."])\n'
                            'subprocess.run(["docker", "create", "--name", "c", "b"])\n'
                            'subprocess.run(["docker", "cp", "c:/a", "."])\n',
                            "build.py:3:", "computed"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_refusals_exit_3_with_the_line_and_write_nothing(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A script that does not parse, runs dynamic code, takes values from the project's own
    modules or computes its Dockerfile path: exit 3, `file:line`, nothing written."""
    text, where, message = BAD[name]
    project = tmp_path / name
    shutil.copytree(CASES / "py-subprocess-list" / "input", project)
    (project / "build.py").write_text(text)
    (project / "settings.py").write_text('IMAGE = "x"\n')
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    assert run([str(project)]) == 3
    err = capsys.readouterr().err
    assert where in err and message in err, err
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


def test_projects_without_python_scripts_never_import_libcst(tmp_path: Path) -> None:
    """`migrate --check` on a shell-driven project does not load libcst."""
    project = tmp_path / "seed"
    shutil.copytree(CASES / "seed-literal" / "input", project)
    code = ("import sys; from migrator.cli import run; run(['--check', sys.argv[1]]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'libcst'))")
    out = subprocess.run([sys.executable, "-c", code, str(project)], capture_output=True,
                         text=True, cwd=ROOT, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_popen_pipes_and_archives_written_to_files() -> None:
    """`Popen(..., stdout=PIPE)` feeding `run(..., stdin=p.stdout)` is one pipeline; an SDK
    archive whose chunks are written to a file is `docker cp c:path - > file`."""
    cmds = commands("""
        import subprocess, docker
        p = subprocess.Popen(["docker", "cp", "c:/out", "-"], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", "dist"], stdin=p.stdout, check=True)
        box = docker.from_env().containers.create("img")
        bits, _ = box.get_archive("/app/bin")
        with open("bin.tar", "wb") as f:
            for chunk in bits:
                f.write(chunk)
    """)
    assert cmds[0].pipe is not None and cmds[1].pipe == (cmds[0].pipe[0], 1)
    cp = cmds[-1]
    assert cp.words() == ("docker", "cp", "${box}:/app/bin", "-")
    assert [(r.op, r.target.value if r.target else None) for r in cp.redirects] == [
        (">", "bin.tar")]


def test_tasks_files_are_one_entry_per_task() -> None:
    """An invoke tasks file is read once per task, each with its `pre` tasks first; a noxfile
    once per session, `session.run(...)` arguments as the command's words."""
    tasks = read_python("tasks.py", textwrap.dedent("""
        from invoke import task

        @task
        def builder(c):
            c.run("docker build -t b -f Dockerfile.build .")

        @task(pre=[builder])
        def image(c, tag="app"):
            c.run(f"docker build -t {tag} .")
    """))
    assert [(s.target, [c.words()[-2] for c in s.commands]) for s in tasks] == [
        ("builder", ["Dockerfile.build"]), ("image", ["Dockerfile.build", "app"])]
    nox = read_python("noxfile.py", textwrap.dedent("""
        import nox

        @nox.session(name="images")
        def build_images(session):
            session.run("docker", "create", "--name", "x", "img", external=True)
    """))
    assert [(s.target, s.commands[0].words()) for s in nox] == [
        ("images", ("docker", "create", "--name", "x", "img"))]


def test_helper_arguments_point_at_the_call() -> None:
    """Words passed through a `*args` helper keep the place they were written: the call."""
    text = textwrap.dedent("""
        import subprocess

        def docker(*args):
            subprocess.check_call(["docker", *args])

        docker("rm", "-f", "box")
    """)
    (cmd,) = commands(text)
    assert cmd.words() == ("docker", "rm", "-f", "box")
    assert text[cmd.argv[3].span.start : cmd.argv[3].span.end] == '"box"'
    assert str(cmd.loc) == "build.py:5"


def test_set_overrides_an_environment_default_that_decides_the_flow(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--set NAME=VALUE` is what `os.environ.get(NAME, default)` reads: here it turns on the
    extraction the default leaves off (without it, the extraction line is named: the project
    copies files out of a container, so it is never "nothing to migrate")."""
    project = tmp_path / "p"
    shutil.copytree(CASES / "py-subprocess-list" / "input", project)
    (project / "build.py").write_text(textwrap.dedent("""\
        import os, subprocess
        if os.environ.get("EXTRACT", "no") == "yes":
            subprocess.run(["docker", "build", "-t", "b", "-f", "Dockerfile.build", "."])
            subprocess.run(["docker", "create", "--name", "x", "b"])
            subprocess.run(["docker", "cp", "x:/go/src/app/app", "./app"])
        subprocess.run(["docker", "build", "-t", "app", "."])
    """))
    assert run(["--check", str(project)]) == 3
    assert "build.py:4: error: takes files out of a container" in capsys.readouterr().err
    assert run(["--check", "--set", "EXTRACT=yes", str(project)]) == 1
