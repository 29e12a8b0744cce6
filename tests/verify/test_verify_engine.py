"""`migrate --verify` end to end, on the private test engine (tests/engine/setup.sh).

Every test here is marked ``engine`` and takes the ``docker`` fixture, so under CI=true a
missing engine fails them rather than skipping them. The projects are copies of samples/ under
tmp_path, some with a line changed to make the build slow, failing or wrong. The CLI is run
in-process (``migrator.cli.run``) where that is enough, and as ``python -m migrator`` where a
test needs a process of its own: to signal it, or to run two at once.

"Nothing left behind" means: no container labelled ``migrator.verify=<token>``, no tag starting
``mv-<token>/`` and no volume named ``*-mv-<token>`` for any token (shim session) the test's
verifications used. The tokens are read from verification's own state files while it runs
(see ``Sessions``), so the check is exact although others may use the same engine meanwhile.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from migrator import cli
from migrator.fleet import work
from migrator.pipeline import Outcome, Status, analyze
from migrator.plan import FileChange
from migrator.settings import Settings
from migrator.verify.compare import CONFIG, Difference
from migrator.verify.engine import DockerClient
from migrator.verify.run import Entry, VerifySettings, verify

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"
# Every sample in the repository, discovered: a new sample is verified without editing this file.
SAMPLES = tuple(sorted(p.name for p in SAMPLES_DIR.iterdir() if (p / "README.md").is_file()))

Edit = Callable[[Path], None]


# ------------------------------------------------------------------ helpers


@pytest.fixture
def engine_env(docker: DockerClient, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """This process (and the environment for child processes) pointed at the test engine."""
    monkeypatch.setenv("DOCKER_HOST", docker.env["DOCKER_HOST"])
    for name in ("DOCKER_CONTEXT", "DOCKER_BUILDKIT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)
    return dict(os.environ)


def sample(tmp_path: Path, name: str, *edits: Edit) -> Path:
    """A copy of samples/NAME under tmp_path, with EDITS applied to it."""
    project = tmp_path / name
    shutil.copytree(SAMPLES_DIR / name, project, symlinks=True)
    for edit in edits:
        edit(project)
    return project


def insert_after(relpath: str, anchor: str, line: str) -> Edit:
    """An edit: LINE inserted after the first line of RELPATH that starts with ANCHOR."""

    def edit(project: Path) -> None:
        path = project / relpath
        lines = path.read_text().splitlines(keepends=True)
        at = next(i for i, text in enumerate(lines) if text.startswith(anchor))
        lines.insert(at + 1, line + "\n")
        path.write_text("".join(lines))

    return edit


def script_starts_with(line: str) -> Edit:
    """An edit: LINE as href-counter's first command (after the #! line)."""
    return insert_after("build.sh", "#!", line)


def append_to_script(text: str) -> Edit:
    def edit(project: Path) -> None:
        with (project / "build.sh").open("a") as f:
            f.write(text)

    return edit


def failing_builder(note: str = "") -> Edit:
    """A builder step that fails (make-cat-chmod's Makefile stops at it, so it ends the log);
    NOTE, a shell comment, tells its container from others."""
    step = f"RUN false # {note}" if note else "RUN false"
    return insert_after("Dockerfile.build", "COPY go.mod", step)


def migrate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    """Run `migrate --json ARGV` in-process: the exit code and the JSON report."""
    capsys.readouterr()
    code = cli.run(["--json", *argv])
    out = capsys.readouterr().out
    return code, json.loads(out)


def verification(report: dict[str, Any]) -> dict[str, Any]:
    (project,) = report["projects"]
    result: dict[str, Any] = project["verification"]
    return result


def verify_argv(docker: DockerClient, builder: str, project: Path, *more: str) -> list[str]:
    return ["--verify", "--docker", docker.binary, "--builder", builder, *more, str(project)]


def tree(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every path under ROOT: its mode and its content (a link's target, b"" for a dir)."""
    found: dict[str, tuple[int, bytes]] = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        if path.is_symlink():
            content = os.readlink(path).encode()
        elif path.is_file():
            content = path.read_bytes()
        else:
            content = b""
        found[str(path.relative_to(root))] = (info.st_mode, content)
    return found


class Sessions:
    """The shim sessions of the verifications a test runs, and what of theirs is still on the
    engine.

    Verification keeps its work directory, with one state file per flow naming the flow's token,
    under the temporary directory; the test points that (TMPDIR, tempfile.tempdir) at a
    directory of its own and a thread records every token that appears there. Scoping the
    check to those tokens keeps it exact while others use the same engine.
    """

    def __init__(self, docker: DockerClient, tmpdir: Path) -> None:
        self.docker = docker
        self.tmpdir = tmpdir
        self.states: dict[str, dict[str, Any]] = {}  # token -> the flow's latest state
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            self.poll()

    def poll(self) -> None:
        try:
            paths = list(self.tmpdir.glob("migrator-verify-*/*.state.json"))
        except OSError:
            return  # a work directory went away while being listed: look again later
        for path in paths:
            try:
                state = json.loads(path.read_text())
            except (OSError, ValueError):
                continue  # gone, or being written
            self.states[state["token"]] = state

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def left(self) -> frozenset[str]:
        """Every container, tag and volume of these sessions still on the engine."""
        found: set[str] = set()
        tags = self.docker.run(["images", "--format", "{{.Repository}}:{{.Tag}}"])
        volumes = self.docker.run(["volume", "ls", "-q"]).stdout.decode().split()
        for token in self.states:
            ids = self.docker.run(
                ["ps", "-aq", "--no-trunc", "--filter", f"label=migrator.verify={token}"]
            ).stdout.decode().split()
            found.update(f"container {c}" for c in ids)
            found.update(f"image {t}" for t in tags.stdout.decode().split()
                         if t.startswith(f"mv-{token}/"))
            found.update(f"volume {v}" for v in volumes if v.endswith(f"-mv-{token}"))
        return frozenset(found)

    def remove(self, objects: frozenset[str]) -> None:
        for item in objects:
            kind, name = item.split(" ", 1)
            self.docker.run({"container": ["rm", "-f", "-v"], "image": ["rmi", "-f"],
                             "volume": ["volume", "rm", "-f"]}[kind] + [name])


@pytest.fixture
def sessions(
    docker: DockerClient, engine_env: dict[str, str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Sessions]:
    """The verifications this test runs (in-process or as child processes), watched.

    Whatever they leave on the engine is removed at the end, so that one failure does not
    spill into the next test.
    """
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    engine_env["TMPDIR"] = str(tmpdir)
    watched = Sessions(docker, tmpdir)
    yield watched
    watched.stop()
    watched.remove(watched.left())


def assert_nothing_left(sessions: Sessions, flows: int) -> None:
    """The FLOWS sessions ran, and none left anything on the engine."""
    sessions.poll()
    assert len(sessions.states) == flows, sorted(sessions.states)
    assert sessions.left() == frozenset()


def planned(project: Path) -> tuple[Outcome, Entry]:
    """The migration the pipeline plans for PROJECT, and how its build is started."""
    outcome = analyze(str(project), Settings())
    assert outcome.status is Status.MIGRATE, outcome
    assert outcome.entry is not None
    path, kind, target = outcome.entry
    tags = tuple(t.value for t in outcome.flow.runtime.tags)  # type: ignore[attr-defined]
    return outcome, Entry(path, kind, target, tags)


def with_dockerfile(outcome: Outcome, change: Callable[[str], str]) -> tuple[FileChange, ...]:
    """The planned changes, with CHANGE applied to the new text of the Dockerfile."""
    changes: tuple[FileChange, ...] = outcome.plan.changes  # type: ignore[attr-defined]
    assert "Dockerfile" in [c.path for c in changes]
    return tuple(
        dataclasses.replace(c, new=change(c.new))
        if c.path == "Dockerfile" and c.new is not None else c
        for c in changes
    )


def start(env: dict[str, str], argv: list[str]) -> subprocess.Popen[bytes]:
    """`python -m migrator ARGV` as a process of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "migrator", *argv],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen[bytes], timeout: float) -> tuple[int, bytes, bytes]:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"migrate did not exit within {timeout}s:\n{err.decode()}")
    return process.returncode, out, err


# ------------------------------------------------------------------ samples


@pytest.mark.engine
@pytest.mark.parametrize("name", SAMPLES)
def test_sample_verifies_equivalent(
    engine_env: dict[str, str], docker: DockerClient, builder: str, name: str,
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """Every sample's migration builds an image equivalent to its legacy build's, under both
    builders: exit 0, status equivalent, both flows ok."""
    project = sample(tmp_path, name)
    code, report = migrate(capsys, *verify_argv(docker, builder, project, "--dry-run"))
    result = verification(report)
    assert code == 0, json.dumps(result, indent=1)
    assert result["status"] == "equivalent"
    assert result["builder"] == builder
    assert result["legacy"]["ok"] and result["migrated"]["ok"]
    assert result["comparison"]["differences"] == []
    assert result["cleanup_problems"] == []


# ------------------------------------------------------------------ wrong migrations

# href-counter's migrated final stage: WORKDIR /root/, COPY --from=builder ... ., CMD ["./app"].
WRONG: dict[str, tuple[Callable[[str], str], Callable[[Difference], bool]]] = {
    "mode": (
        lambda text: text.rstrip("\n") + "\nRUN chmod 0600 /root/app\n",
        lambda d: (d.subject, d.field, d.left, d.right) == ("/root/app", "mode", 0o755, 0o600),
    ),
    "missing-file": (
        lambda text: "".join(line for line in text.splitlines(keepends=True)
                             if not line.startswith("COPY --from=builder")),
        lambda d: (d.subject, d.field, d.left, d.right) == ("/root/app", "presence", "file",
                                                            None),
    ),
    "cmd": (
        lambda text: text.replace('CMD ["./app"]', 'CMD ["./app", "--verbose"]'),
        lambda d: (d.subject, d.field, d.left, d.right) == (CONFIG, "Cmd", ("./app",),
                                                            ("./app", "--verbose")),
    ),
}


@pytest.mark.engine
@pytest.mark.parametrize("wrong", sorted(WRONG))
def test_wrong_migration_is_different(
    engine_env: dict[str, str], docker: DockerClient, builder: str, wrong: str,
    tmp_path: Path, sessions: Sessions,
) -> None:
    """A migration that changes a file's mode, loses a file or changes CMD is reported as
    different (exit 1), naming the path or config field."""
    outcome, entry = planned(sample(tmp_path, "href-counter"))
    change, expected = WRONG[wrong]
    changes = with_dockerfile(outcome, change)
    result = verify(outcome.project, changes, entry,
                    VerifySettings(docker=docker.binary, builder=builder))
    assert result.status == "different", result.format_text()
    assert result.exit_code == 1
    assert result.comparison is not None
    assert [d for d in result.comparison.differences if expected(d)], result.format_text()
    # Nothing else differs: the change is the whole difference.
    assert len(result.comparison.differences) == 1, result.format_text()
    # The text a user reads names it too: "/root/app: mode 0755 != 0600", "config: Cmd ...".
    assert result.comparison.differences[0].format() in result.format_text()
    assert_nothing_left(sessions, flows=2)


# ------------------------------------------------------------------ the user's tree


@pytest.mark.engine
@pytest.mark.parametrize("name", ["href-counter", "volume-cp", "tar-stream"])
def test_dry_run_verification_leaves_the_tree_untouched(
    engine_env: dict[str, str], docker: DockerClient, name: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--verify --dry-run` changes no byte, mode or name in the project, although the build
    scripts write into their working directory."""
    project = sample(tmp_path, name)
    before = tree(project)
    code, _ = migrate(capsys, *verify_argv(docker, "buildkit", project, "--dry-run"))
    assert code == 0
    assert tree(project) == before


@pytest.mark.engine
def test_failed_verification_writes_nothing(
    engine_env: dict[str, str], docker: DockerClient, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--verify` without --dry-run writes nothing when the legacy build fails (exit 4)."""
    project = sample(tmp_path, "make-cat-chmod", failing_builder())
    before = tree(project)
    code, report = migrate(capsys, *verify_argv(docker, "buildkit", project))
    assert code == 4
    assert report["projects"][0]["written"] is False
    assert tree(project) == before


@pytest.mark.engine
def test_failed_verification_is_not_reported_as_migrated(
    engine_env: dict[str, str], docker: DockerClient, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--verify` without --dry-run does not say "migrated" for a project it did not write."""
    project = sample(tmp_path, "make-cat-chmod", failing_builder())
    capsys.readouterr()
    code = cli.run(verify_argv(docker, "buildkit", project))
    assert code == 4
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert "migrated 1 project" not in summary, summary


@pytest.mark.engine
def test_different_images_write_nothing(
    engine_env: dict[str, str], docker: DockerClient, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--verify` without --dry-run writes nothing when the images differ (exit 1)."""
    project = sample(tmp_path, "href-counter")
    before = tree(project)

    def wrong(root: str, settings: Settings) -> Outcome:
        outcome = analyze(root, settings)
        changes = with_dockerfile(outcome, WRONG["mode"][0])
        return dataclasses.replace(outcome, plan=dataclasses.replace(outcome.plan,  # type: ignore[type-var]
                                                                     changes=changes))

    monkeypatch.setattr(work, "analyze", wrong)  # the fleet worker analyses each project
    code, report = migrate(capsys, *verify_argv(docker, "buildkit", project))
    assert code == 1
    assert verification(report)["status"] == "different"
    assert report["projects"][0]["written"] is False
    assert tree(project) == before


# ------------------------------------------------------------------ the user's engine


@pytest.mark.engine
def test_existing_tags_and_containers_are_kept(
    engine_env: dict[str, str], docker: DockerClient, builder: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The tags and the container name href-counter's build.sh uses, already on the engine as
    someone else's, still exist and point at the same images after verification."""
    tags = ("alexellis2/href-counter:latest", "alexellis2/href-counter:build")

    def image_id(ref: str) -> str:
        found = docker.run(["image", "inspect", "--format", "{{.Id}}", ref])
        return found.stdout.decode().strip() if found.ok else f"missing: {found.describe()}"

    def container_id(name: str) -> str:
        found = docker.run(["container", "inspect", "--format", "{{.Id}}", name])
        return found.stdout.decode().strip() if found.ok else f"missing: {found.describe()}"

    try:
        for tag in tags:
            assert docker.run(["tag", "busybox:latest", tag]).ok
        created = docker.run(["create", "--name", "extract", "busybox:latest", "true"])
        assert created.ok, created.describe()
        ids = {tag: image_id(tag) for tag in tags}
        extract = container_id("extract")

        code, report = migrate(capsys, *verify_argv(
            docker, builder, sample(tmp_path, "href-counter"), "--dry-run"))
        assert code == 0, json.dumps(verification(report), indent=1)
        assert {tag: image_id(tag) for tag in tags} == ids
        assert ids[tags[0]] == image_id("busybox:latest")
        assert container_id("extract") == extract
    finally:
        docker.run(["rm", "-f", "extract"])
        docker.run(["rmi", *tags])


@pytest.mark.engine
def test_push_and_login_are_not_done(
    engine_env: dict[str, str], docker: DockerClient, builder: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A script that pushes and logs in verifies fine; the push is only recorded, and the script
    sees an empty docker config, not the user's credentials."""
    user_config = tmp_path / "user-docker-config"
    user_config.mkdir()
    credentials = '{"auths": {"https://index.docker.io/v1/": {"auth": "eDp5"}}}'
    (user_config / "config.json").write_text(credentials)
    monkeypatch.setenv("DOCKER_CONFIG", str(user_config))
    probe = tmp_path / "probe.txt"  # outside the project: written by both flows
    project = sample(tmp_path, "href-counter", append_to_script(
        f'{{ echo "config=$DOCKER_CONFIG"; ls -A "$DOCKER_CONFIG"; }} >> {probe}\n'
        "docker push alexellis2/href-counter:latest\n"
        "docker login -u x -p y\n"
        f'{{ echo "after login"; ls -A "$DOCKER_CONFIG"; }} >> {probe}\n'
    ))

    code, report = migrate(capsys, *verify_argv(docker, builder, project, "--dry-run"))
    result = verification(report)
    assert code == 0, json.dumps(result, indent=1)
    assert result["legacy"]["would_push"] == ["alexellis2/href-counter:latest"]
    assert result["migrated"]["would_push"] == ["alexellis2/href-counter:latest"]
    seen = probe.read_text().splitlines()
    configs = [line.removeprefix("config=") for line in seen if line.startswith("config=")]
    assert len(configs) == 2  # legacy and migrated
    assert all(c and Path(c) != user_config for c in configs), seen
    # The BuildKit client keeps its node id (.buildNodeID) there; nothing else may appear.
    assert not [line for line in seen
                if line not in ("after login", ".buildNodeID") and not line.startswith("config=")]
    assert sorted(p.name for p in user_config.iterdir()) == ["config.json"]
    assert (user_config / "config.json").read_text() == credentials


# ------------------------------------------------------------------ nothing left behind


@pytest.mark.engine
def test_successful_verification_leaves_nothing(
    engine_env: dict[str, str], docker: DockerClient, builder: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], sessions: Sessions,
) -> None:
    """The tags, containers (named, left running or stopped) and named volumes both flows made
    are gone afterwards."""
    project = sample(
        tmp_path, "href-counter",
        script_starts_with("docker run --rm -v mvcache:/cache busybox:latest touch /cache/x"),
        script_starts_with("docker run --name side busybox:latest true"),
        script_starts_with("docker run -d --name bg busybox:latest sleep 60"),
    )
    code, report = migrate(capsys, *verify_argv(docker, builder, project, "--dry-run"))
    assert code == 0, json.dumps(verification(report), indent=1)
    assert verification(report)["legacy"]["left_behind"]["containers"] == 2
    assert_nothing_left(sessions, flows=2)


@pytest.mark.engine
def test_failed_legacy_build_is_an_error_and_leaves_nothing(
    engine_env: dict[str, str], docker: DockerClient, builder: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], sessions: Sessions,
) -> None:
    """A legacy build that fails is status error, exit 4, with the builder's log tail; what it
    made is removed."""
    project = sample(tmp_path, "make-cat-chmod", failing_builder())
    code, report = migrate(capsys, *verify_argv(docker, builder, project, "--dry-run"))
    result = verification(report)
    assert code == 4
    assert result["status"] == "error"
    assert "legacy" in result["message"]
    assert result["legacy"]["ok"] is False
    assert result["migrated"] is None
    assert "/bin/sh -c false" in result["legacy"]["log_tail"]
    assert_nothing_left(sessions, flows=1)


@pytest.mark.engine
def test_failed_build_step_leaves_no_container(
    engine_env: dict[str, str], docker: DockerClient, builder: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The container of a build step that failed is not left behind (the classic builder keeps
    it unless the build is given --force-rm)."""
    note = f"migrator-test-{secrets.token_hex(6)}"
    project = sample(tmp_path, "make-cat-chmod", failing_builder(note))
    code, _ = migrate(capsys, *verify_argv(docker, builder, project, "--dry-run"))
    assert code == 4
    listed = docker.run(["ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}"])
    left = [line.split()[0] for line in listed.stdout.decode().splitlines() if note in line]
    if left:
        docker.run(["rm", "-f", *left])
    assert left == []


# How a project is made slow, so that a signal arrives mid-build.
SLOW = {
    "script-container": script_starts_with("docker run --name slow busybox:latest sleep 30"),
    "builder-step": insert_after("Dockerfile.build", "COPY app.go", "RUN sleep 30"),
}


def mid_build(sessions: Sessions, slow: str) -> bool:
    sessions.poll()
    for token, state in sessions.states.items():
        if slow == "builder-step" and any("build" in call for call in state["log"]):
            return True
        if slow == "script-container" and f"slow-mv-{token}" in state["created"]:
            running = sessions.docker.run(
                ["ps", "-q", "--filter", f"label=migrator.verify={token}"]).stdout.strip()
            return bool(running)
    return False


@pytest.mark.engine
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("slow", sorted(SLOW))
def test_interrupted_verification_leaves_nothing(
    engine_env: dict[str, str], docker: DockerClient, builder: str, tmp_path: Path,
    signum: signal.Signals, slow: str, sessions: Sessions,
) -> None:
    """SIGTERM or SIGINT mid-build ends migrate within seconds (exit 128+signal), and what the
    interrupted flow made is removed."""
    project = sample(tmp_path, "href-counter", SLOW[slow])
    process = start(engine_env, verify_argv(docker, builder, project, "--dry-run"))
    try:
        # Mid-build: the legacy flow's container runs, or its builder is in RUN sleep 30.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not mid_build(sessions, slow):
            time.sleep(0.1)
        assert mid_build(sessions, slow), sessions.states
        time.sleep(1 if slow == "script-container" else 3)
        assert process.poll() is None, "migrate ended before the signal"
        process.send_signal(signum)
        code, _, err = finish(process, timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == 128 + signum, err.decode()
    assert b"interrupted" in err
    assert_nothing_left(sessions, flows=1)


@pytest.mark.engine
def test_build_timeout_is_an_error_and_leaves_nothing(
    engine_env: dict[str, str], docker: DockerClient, builder: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], sessions: Sessions,
) -> None:
    """`--timeout 3` ends a build stuck in `RUN sleep 60` with exit 4 well before the sleep ends,
    and leaves nothing."""
    project = sample(tmp_path, "href-counter",
                     insert_after("Dockerfile.build", "COPY app.go", "RUN sleep 60"))
    started = time.monotonic()
    code, report = migrate(capsys, *verify_argv(docker, builder, project, "--dry-run",
                                                "--timeout", "3"))
    assert time.monotonic() - started < 30
    result = verification(report)
    assert code == 4
    assert result["status"] == "error"
    assert "timed out" in result["legacy"]["log_tail"]
    assert_nothing_left(sessions, flows=1)


# ------------------------------------------------------------------ concurrency


@pytest.mark.engine
def test_two_verifications_at_once_do_not_collide(
    engine_env: dict[str, str], docker: DockerClient, builder: str, tmp_path: Path,
    sessions: Sessions,
) -> None:
    """Two `migrate --verify --dry-run` of the same project at the same time both verify
    equivalent, although the scripts use the same tags and container names."""
    project = sample(tmp_path, "href-counter")
    argv = verify_argv(docker, builder, project, "--dry-run", "--json")
    processes = [start(engine_env, argv) for _ in range(2)]
    try:
        results = [finish(p, timeout=120) for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.wait()
    for code, out, err in results:
        assert code == 0, err.decode() + out.decode()
        assert verification(json.loads(out))["status"] == "equivalent"
    assert_nothing_left(sessions, flows=4)
