"""Flows with no multi-stage form are refused with `file:line` and the reason; nothing is written.

Each case is a small build.sh whose third line does the untranslatable thing; the rest of the
project is an ordinary builder-pattern layout that would migrate without it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.cli import run

_BUILDER = "FROM golang:1.21\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n"


def _project(tmp_path: Path, script: str) -> Path:
    p = tmp_path / "proj"
    p.mkdir()
    (p / "build.sh").write_text(script)
    (p / "Dockerfile.build").write_text(_BUILDER)
    (p / "Dockerfile").write_text("FROM alpine:3.19\nCOPY dist/app /usr/bin/app\n")
    (p / "main.go").write_text("package main\n")
    return p


def _tree(root: Path) -> dict[str, bytes]:
    return {str(f.relative_to(root)): f.read_bytes() for f in root.rglob("*") if f.is_file()}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("docker run --name b app-build true; docker commit b app-built", "docker commit b"),
        ("docker save app-build | tar -x -C dist", "layers of `docker save`"),
        ("docker save -o dist/img.tar app-build; tar -xf dist/img.tar -C dist",
         "layers `docker save` wrote at build.sh:3"),
        ("docker run -d --name srv -p 8080:80 app-build; "
         "curl -fsSo dist/app http://localhost:8080/app", "over the network"),
        ("docker run -d --name srv app-build; wget -O dist/app http://srv/app",
         "over the network"),
        ("docker run --rm --privileged -v \"$PWD/dist\":/out app-build cp /out/app /out/",
         "--privileged"),
        ("docker run --privileged --name b app-build go build; docker cp b:/out/app dist/app",
         "--privileged"),
        ("vagrant ssh -c 'docker cp b:/out/app /vagrant/dist/app'", "Vagrant VM"),
        ("docker create --name b app-build; docker cp b:/out/app /vagrant/dist/app",
         "only in the Vagrant VM"),
        ("docker create --name b app-build; docker cp b:/out/app /home/travis/build/app",
         "only on the CI machine"),
        ('A=(--rm $EXTRA_MOUNT); docker run "${A[@]}" app-build true',
         'options depend on "${A[@]}"'),
    ],
)
def test_untranslatable_flows_exit_3_and_write_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str) -> None:
    """Each untranslatable step is refused at its own line with the reason; nothing written."""
    p = _project(tmp_path, "#!/bin/sh\ndocker build -t app-build -f Dockerfile.build .\n"
                           f"{line}\ndocker create --name x app-build\n"
                           "docker cp x:/out/app dist/app\ndocker build -t app .\n")
    before = _tree(p)
    assert run([str(p)]) == 3
    err = capsys.readouterr().err
    assert f"{p}/build.sh:3: error:" in err and message in err, err
    assert "Traceback" not in err
    assert _tree(p) == before


def test_saving_the_final_image_is_not_refused(tmp_path: Path) -> None:
    """`docker save -o` of an image (shipping it) is not taking files from layers."""
    p = _project(tmp_path, "#!/bin/sh\ndocker build -t app-build -f Dockerfile.build .\n"
                           "docker create --name b app-build\ndocker cp b:/out/app dist/app\n"
                           "docker rm b\ndocker build -t app .\ndocker save -o app.tar app\n")
    (p / "dist").mkdir()
    assert run([str(p)]) == 0
    assert "COPY --from=" in (p / "Dockerfile").read_text()


def test_a_run_whose_mounts_hide_in_an_unknown_array_is_refused_not_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The only extraction's `-v` is in an array with an unknown element: the project is still
    found to copy files out of a container, and refused at the run's line."""
    p = tmp_path / "proj"
    p.mkdir()
    (p / "build.sh").write_text(
        "#!/bin/bash\ndocker build -t app-build -f Dockerfile.build .\n"
        "ARGS=( --rm\n  -v $PWD/dist:/out\n  $EXTRA_MOUNT\n)\n"
        'docker run "${ARGS[@]}" app-build cp /out/app /out/\ndocker build -t app .\n')
    (p / "Dockerfile.build").write_text(_BUILDER)
    (p / "Dockerfile").write_text("FROM alpine:3.19\nCOPY dist/app /usr/bin/app\n")
    assert run(["--check", str(p)]) == 3
    err = capsys.readouterr().err
    assert f"{p}/build.sh:7: error: docker run's options depend on" in err, err


def test_a_file_the_script_writes_into_an_assembled_context_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`echo ... > "$W/VERSION.json"` in a context assembled with cp: the one build context
    has no such file, so the COPY that reads it is refused at its line (it became
    `COPY ${W}/VERSION.json`)."""
    p = _project(tmp_path, "#!/bin/bash\nset -e\ndocker build -t app-build -f Dockerfile.build .\n"
                           "docker create --name x app-build\ndocker cp x:/out/app dist/app\n"
                           'W=$(mktemp -d)\ncp Dockerfile dist/app "$W"/\n'
                           'echo "{}" > "$W/VERSION.json"\ndocker build -t app "$W"\n')
    (p / "Dockerfile").write_text("FROM alpine:3.19\nCOPY app /usr/bin/app\n"
                                  "COPY VERSION.json /etc/\n")
    before = _tree(p)
    assert run([str(p)]) == 3
    err = capsys.readouterr().err
    assert f"{p}/Dockerfile:3: error: COPY VERSION.json: the script puts" in err, err
    assert _tree(p) == before


@pytest.mark.parametrize(("volumes", "args", "refused"), [
    ("      - .:/src\n", "", True),  # the service mounts the project
    ("      - cache:/root/.cache\n", "", False),  # a named volume writes nothing here
    ("      - cache:/root/.cache\n", "-v ./bin:/src/bin ", True),  # given on the command line
])
def test_a_compose_run_that_may_write_into_the_project_is_refused_not_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], volumes: str, args: str,
        refused: bool) -> None:
    p = tmp_path / "proj"
    p.mkdir()
    (p / "docker-compose.yml").write_text(
        "services:\n  builder:\n    build: .\n    volumes:\n" + volumes)
    (p / "Dockerfile").write_text("FROM alpine:3.19\nCOPY bin/app /usr/bin/app\n")
    (p / "build.sh").write_text(f"#!/bin/sh\ndocker-compose run --rm {args}builder make\n"
                                "docker build -t app .\n")
    code = run(["--check", str(p)])
    err = capsys.readouterr().err
    if refused:
        assert code == 3 and f"{p}/build.sh:2: error: `docker compose run`" in err, err
    else:
        assert code == 0 and "nothing to migrate" in err, err


def test_a_jenkins_pipeline_that_copies_out_of_a_container_is_refused_not_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Groovy is not read, but its docker steps are seen: refused at the first of them."""
    p = _project(tmp_path, "")
    (p / "build.sh").unlink()
    (p / "Jenkinsfile").write_text(
        "pipeline {\n  agent any\n  stages {\n    stage('Build') {\n      steps {\n"
        "        sh 'docker build -t app-build -f Dockerfile.build .'\n"
        "        sh 'docker create --name x app-build && docker cp x:/out/app dist/app'\n"
        "        sh 'docker build -t app .'\n      }\n    }\n  }\n}\n")
    assert run(["--check", str(p)]) == 3
    err = capsys.readouterr().err
    assert f"{p}/Jenkinsfile:7: error: this Jenkins pipeline step" in err, err


def test_a_justfile_recipe_that_copies_out_of_a_container_is_refused_not_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = _project(tmp_path, "")
    (p / "build.sh").unlink()
    (p / "justfile").write_text("image:\n    docker build -t app-build -f Dockerfile.build .\n"
                                "    docker create --name x app-build\n"
                                "    docker cp x:/out/app dist/app\n    docker build -t app .\n")
    assert run(["--check", str(p)]) == 3
    assert f"{p}/justfile:3: error: this just recipe" in capsys.readouterr().err
