"""The `migrate` command: exit codes, what goes to stdout and stderr, and what is written.

0 written or nothing to do; 1 `--check`/`--dry-run` found a migration to make; 2 usage;
3 a project cannot be migrated (a `file:line: error: message` line, nothing written).
Projects are copied under a temporary directory and named relative to it, as a user would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from migrator.cli import run

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"

SEED = CASES / "seed-literal" / "input"  # Dockerfile.build + Dockerfile + build.sh (docker cp)
PLAIN = CASES / "noop-multistage" / "input"  # already one multi-stage Dockerfile
BACKSLASH_WARNING = "backslash followed by spaces"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch directory that is also the working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    return dest


def tree(root: Path) -> dict[str, tuple[str, object]]:
    """Every entry under root: file bytes and mode, symlink targets, directories."""
    out: dict[str, tuple[str, object]] = {}
    for here_, dirs, files in os.walk(root):
        for name in dirs + files:
            p = Path(here_) / name
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", None)
            else:
                out[rel] = ("file", (p.read_bytes(), p.stat().st_mode))
    return out


def stderr_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line]


# ---------------------------------------------------------------- writing


def test_migration_is_written_and_exits_0(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A builder-pattern project is rewritten, its builder Dockerfile removed; exit 0."""
    project = copy(SEED, here / "seed")
    assert run(["seed"]) == 0
    assert not (project / "Dockerfile.build").exists()
    assert "COPY --from=builder " in (project / "Dockerfile").read_text()
    out, err = capsys.readouterr()
    assert out == ""
    assert stderr_lines(err)[-1] == "migrated 1 project"


def test_input_warnings_go_to_stderr_with_their_line(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A warning about the input is a `file:line: warning: message` line on stderr."""
    copy(SEED, here / "seed")
    run(["seed"])
    err = capsys.readouterr().err
    assert f"seed/build.sh:4: warning: {BACKSLASH_WARNING}" in err


def test_plain_project_has_nothing_to_migrate(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A project with no builder pattern is left alone, exits 0 and says nothing to migrate."""
    project = copy(PLAIN, here / "plain")
    before = tree(project)
    assert run(["plain"]) == 0
    assert tree(project) == before
    assert "nothing to migrate" in capsys.readouterr().err


# ---------------------------------------------------------------- --check and --dry-run


def test_check_exits_1_when_a_migration_is_pending(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--check` writes nothing, prints one line for the project, and exits 1."""
    project = copy(SEED, here / "seed")
    before = tree(project)
    assert run(["--check", "seed"]) == 1
    assert tree(project) == before
    out, err = capsys.readouterr()
    assert out.splitlines() == ["seed: would migrate (build.sh)"]
    assert stderr_lines(err)[-1] == "would migrate 1 project"


def test_check_exits_0_when_nothing_is_pending(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--check` on a project with nothing to migrate exits 0."""
    copy(PLAIN, here / "plain")
    assert run(["--check", "plain"]) == 0
    assert capsys.readouterr().out.startswith("plain: nothing to migrate")


def test_dry_run_prints_a_diff_and_exits_1(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--dry-run` prints a unified diff on stdout, writes nothing, and exits 1."""
    project = copy(SEED, here / "seed")
    before = tree(project)
    assert run(["--dry-run", "seed"]) == 1
    assert tree(project) == before
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert "--- a/seed/Dockerfile" in lines
    assert "+++ b/seed/Dockerfile" in lines
    assert "--- a/seed/build.sh" in lines
    assert "+++ b/seed/build.sh" in lines
    assert any(line.startswith("@@ ") for line in lines)
    assert "+++" not in err


def test_dry_run_shows_the_removed_builder_dockerfile(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The builder Dockerfile the migration removes is diffed against /dev/null."""
    copy(SEED, here / "seed")
    run(["--dry-run", "seed"])
    out = capsys.readouterr().out
    assert "--- a/seed/Dockerfile.build\n+++ /dev/null\n" in out
    assert "-FROM golang:1.7.3\n" in out


def test_dry_run_of_the_current_directory_names_files_as_git_does(
    here: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`migrate --dry-run .` labels files `a/Dockerfile`, a path `git apply` accepts."""
    project = copy(SEED, here / "seed")
    monkeypatch.chdir(project)
    assert run(["--dry-run", "."]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "--- a/Dockerfile" in lines
    assert "+++ b/Dockerfile" in lines


def test_dry_run_with_nothing_to_migrate_prints_nothing(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--dry-run` on a project with nothing to migrate prints no diff and exits 0."""
    copy(PLAIN, here / "plain")
    assert run(["--dry-run", "plain"]) == 0
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- usage errors


def test_no_path_is_a_usage_error(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without a PATH the command exits 2 with a usage message."""
    assert run([]) == 2
    err = capsys.readouterr().err
    assert "Usage:" in err
    assert "Traceback" not in err


def test_check_with_dry_run_is_a_usage_error(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--check` and `--dry-run` together exit 2 and write nothing."""
    project = copy(SEED, here / "seed")
    before = tree(project)
    assert run(["--check", "--dry-run", "seed"]) == 2
    assert tree(project) == before
    assert "exclude each other" in capsys.readouterr().err


def test_missing_path_is_a_usage_error(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A PATH that does not exist exits 2."""
    assert run(["no-such-project"]) == 2
    assert "no-such-project" in capsys.readouterr().err


# ---------------------------------------------------------------- bad input


def _unparseable(project: Path) -> None:
    (project / "build.sh").write_text(
        "#!/bin/sh\n"
        "docker build -t x -f Dockerfile.build .\n"
        "docker create --name c x\n"
        "docker cp c:/go/src/github.com/alexellis/href-counter/app ./app\n"
        "docker build -t x . && (\n"
    )


def _missing_dockerfile(project: Path) -> None:
    script = project / "build.sh"
    script.write_text(script.read_text().replace("-f Dockerfile.build", "-f Dockerfile.missing"))


def _symlink_outside(project: Path) -> None:
    outside = project.parent / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_bytes((project / "Dockerfile").read_bytes())
    (project / "Dockerfile").unlink()
    (project / "Dockerfile").symlink_to(outside / "Dockerfile")


def _cp_from_unknown_container(project: Path) -> None:
    script = project / "build.sh"
    script.write_text(script.read_text().replace("cp extract:", "cp ghost:"))


BAD_INPUTS: list[tuple[str, Callable[[Path], None], str]] = [
    ("unparseable-script", _unparseable, r"build\.sh:[56]: error: cannot parse shell"),
    ("missing-dockerfile", _missing_dockerfile,
     r"build\.sh:4: error: Dockerfile\.missing: no such Dockerfile"),
    ("symlink-outside", _symlink_outside, r"Dockerfile:1: error: symlink points outside"),
    ("cp-unknown-container", _cp_from_unknown_container,
     r"build\.sh:8: error: docker cp from container 'ghost'"),
]


MODES = [[], ["--check"], ["--dry-run"]]


@pytest.mark.parametrize(("name", "damage", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
@pytest.mark.parametrize("mode", MODES, ids=["write", "check", "dry-run"])
def test_bad_input_exits_3_with_a_located_error_and_writes_nothing(
    here: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    damage: Callable[[Path], None],
    message: str,
    mode: list[str],
) -> None:
    """Bad input exits 3 with one `file:line: error: message` line; no traceback, no writes."""
    project = copy(SEED, here / name)
    damage(project)
    before = tree(here)
    assert run([*mode, name]) == 3
    assert tree(here) == before
    out, err = capsys.readouterr()
    errors = [line for line in stderr_lines(err) if ": error: " in line]
    assert len(errors) == 1
    assert re.fullmatch(re.escape(f"{name}/") + message + r".*", errors[0]), errors[0]
    assert "Traceback" not in err
    assert stderr_lines(err)[-1] == "1 failed"
    assert "+++" not in out


# ---------------------------------------------------------------- --json


def test_json_report_is_one_document(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--json` prints one JSON document on stdout with the run and each project."""
    copy(SEED, here / "seed")
    assert run(["--json", "--check", "seed"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert {"version", "mode", "exit_code", "summary", "projects"} <= doc.keys()
    assert (doc["version"], doc["mode"], doc["exit_code"]) == (1, "check", 1)
    assert doc["summary"] == "would migrate 1 project"
    (project,) = doc["projects"]
    assert {"path", "status", "problems", "changes", "artifacts", "explain"} <= project.keys()
    assert (project["path"], project["status"]) == ("seed", "migrate")


def test_json_lists_changes_artifacts_and_problems(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The JSON project entry lists each file change, each artifact with its line, each warning."""
    copy(SEED, here / "seed")
    run(["--json", "--check", "seed"])
    (project,) = json.loads(capsys.readouterr().out)["projects"]
    assert sorted((c["path"], c["action"]) for c in project["changes"]) == [
        ("Dockerfile", "modify"), ("Dockerfile.build", "delete"), ("build.sh", "modify")]
    (artifact,) = project["artifacts"]
    assert artifact["host"] == "app"
    assert artifact["source"] == "/go/src/github.com/alexellis/href-counter/app"
    assert artifact["provenance"] == "build.sh:8"
    problem = next(p for p in project["problems"] if "backslash" in p["message"])
    assert (problem["file"], problem["line"], problem["severity"]) == ("build.sh", 4, "warning")
    assert any(line.startswith("build.sh:8: ") for line in project["explain"])


def test_json_reports_a_failed_project(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A project that cannot be migrated is `failed` in JSON, its error with file and line."""
    project_dir = copy(SEED, here / "bad")
    _cp_from_unknown_container(project_dir)
    assert run(["--json", "bad"]) == 3
    doc = json.loads(capsys.readouterr().out)
    assert doc["exit_code"] == 3
    (project,) = doc["projects"]
    assert project["status"] == "failed"
    assert project["changes"] == []
    (problem,) = project["problems"]
    assert (problem["file"], problem["line"], problem["severity"]) == ("build.sh", 8, "error")


def test_json_after_writing_says_written(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """In write mode the JSON report says the project was written."""
    copy(SEED, here / "seed")
    assert run(["--json", "seed"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["mode"], doc["exit_code"]) == ("write", 0)
    assert doc["projects"][0]["written"] is True


# ---------------------------------------------------------------- --explain


def test_explain_prints_each_step_with_its_line(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--explain` prints the artifact flow, each step with the input line that caused it."""
    copy(SEED, here / "seed")
    assert run(["--explain", "--check", "seed"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "# seed: build.sh" in lines
    assert "#   build.sh:4: stage builder from Dockerfile.build" in lines
    cp = r"#   build\.sh:8: cp \S+:/go/src/github\.com/alexellis/href-counter/app -> app"
    assert any(re.fullmatch(cp, line) for line in lines), lines
    assert any(line.startswith("#   Dockerfile:4: COPY app . -> COPY --from=builder ")
               for line in lines), lines


# ---------------------------------------------------------------- several projects


def test_several_projects_give_one_summary_line(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Several PATHs in one run give one line per project under --check, a table of outcomes
    and one summary line last."""
    copy(SEED, here / "seed")
    copy(PLAIN, here / "plain")
    _cp_from_unknown_container(copy(SEED, here / "bad"))
    assert run(["--check", "seed", "plain", "bad"]) == 3
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "seed: would migrate (build.sh)",
        "plain: nothing to migrate (no build script takes files out of a container)",
        "bad: cannot migrate",
    ]
    lines = stderr_lines(err)
    assert lines[-1] == "would migrate 1 project, 1 project with nothing to migrate, 1 failed"
    rows = {line.split()[0]: line.split()[1] for line in lines if line[:1].isalpha()}
    assert {k: rows[k] for k in ("migrated", "unchanged", "refused", "failed")} == {
        "migrated": "1", "unchanged": "1", "refused": "1", "failed": "0"}
    assert "Traceback" not in err


def test_several_projects_are_all_written(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Several migratable PATHs are each written, and the summary counts them."""
    copy(SEED, here / "seed")
    copy(ROOT / "samples" / "href-counter", here / "href")
    assert run(["seed", "href"]) == 0
    assert not (here / "seed" / "Dockerfile.build").exists()
    assert not (here / "href" / "Dockerfile.build").exists()
    assert stderr_lines(capsys.readouterr().err)[-1] == "migrated 2 projects"
