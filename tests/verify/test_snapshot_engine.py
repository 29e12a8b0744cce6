"""snapshot() and the engine client: reading an image's files and run config.

The tests marked ``engine`` build real images on the private test engine (tests/engine/setup.sh),
under both builders. The unmarked ones at the end need no engine: they feed read_export() a tar
made in memory, for cases an engine build cannot produce on demand (an xattr, `./` member
names), and run DockerClient with /bin/sh standing in for the docker binary.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import tarfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from migrator.verify.compare import CONFIG, Difference, compare
from migrator.verify.engine import DockerClient, EngineError, engine_available
from migrator.verify.snapshot import LABEL, Entry, SnapshotError, read_export, snapshot

Build = Callable[..., str]

BASE_IMAGE = "busybox:latest"


@pytest.fixture
def build(docker: DockerClient, builder_client: DockerClient, tmp_path: Path) -> Iterator[Build]:
    """Build an image from Dockerfile text (and context files); removed after the test."""
    token = secrets.token_hex(4)
    tags: list[str] = []

    def build(
        dockerfile: str, files: Mapping[str, bytes] | None = None, *, fresh: bool = False
    ) -> str:
        context = tmp_path / f"context{len(tags)}"
        context.mkdir()
        (context / "Dockerfile").write_text(dockerfile)
        for name, content in (files or {}).items():
            (context / name).write_bytes(content)
        tag = f"migrator-test/verify:{token}-{len(tags)}"
        # No network: tests are hermetic, and the test engine may have no bridge at all.
        args = ["build", "--network", "none", "--tag", tag]
        result = builder_client.run([*args, *(["--no-cache"] if fresh else []), str(context)])
        assert result.ok, result.describe()
        tags.append(tag)
        return tag

    yield build
    if tags:
        docker.run(["image", "rm", "--force", *tags])


@pytest.mark.engine
def test_reads_files_links_and_owners(docker: DockerClient, build: Build) -> None:
    """Mode (with setuid), owner, content hash, symlink and hardlink targets are read as built."""
    tag = build(
        f"FROM {BASE_IMAGE}\n"
        "COPY data.txt /app/data.txt\n"
        "RUN mkdir -p /app/shared"
        " && printf hello > /app/tool"
        " && chown 1000:2000 /app/tool"
        # After chown, which clears setuid.
        " && chmod 4750 /app/tool"
        " && ln -s tool /app/current"
        " && ln /app/tool /app/tool2"
        " && chmod 1777 /app/shared"
        " && mkfifo /app/pipe\n"
        'CMD ["/app/tool"]\n',
        {"data.txt": b"some data\n"},
    )
    image = snapshot(docker, tag)
    entries = image.by_path()
    hello = hashlib.sha256(b"hello").hexdigest()

    tool = entries["/app/tool"]
    assert (tool.type, tool.mode, tool.uid, tool.gid) == ("file", 0o4750, 1000, 2000)
    assert (tool.size, tool.sha256) == (5, hello)
    assert entries["/app/current"].type == "symlink"
    assert entries["/app/current"].link == "tool"
    tool2 = entries["/app/tool2"]
    assert (tool2.type, tool2.link, tool2.sha256, tool2.mode) == (
        "hardlink",
        "/app/tool",
        hello,
        0o4750,
    )
    assert (entries["/app/shared"].type, entries["/app/shared"].mode) == ("dir", 0o1777)
    assert entries["/app/pipe"].type == "fifo"
    data = entries["/app/data.txt"]
    assert (data.uid, data.gid, data.sha256) == (0, 0, hashlib.sha256(b"some data\n").hexdigest())
    assert entries["/bin/sh"].type in ("symlink", "hardlink", "file")
    assert image.config.cmd == ("/app/tool",)
    assert image.layers >= 3
    assert image.size > 0
    assert image.image_id.startswith("sha256:")


@pytest.mark.engine
def test_engine_paths_are_left_out(docker: DockerClient, build: Build) -> None:
    """What the engine adds to every container (/.dockerenv, /proc, /etc/hosts...) is left out."""
    image = snapshot(docker, build(f"FROM {BASE_IMAGE}\nRUN touch /marker\n"))
    paths = {entry.path for entry in image.entries}
    assert "/marker" in paths
    for path in ("/.dockerenv", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/etc/mtab"):
        assert path not in paths
        assert path in image.ignored
    assert not any(
        p == top or p.startswith(top + "/") for p in paths for top in ("/dev", "/proc", "/sys")
    )
    assert all(
        entry.path.startswith("/") and not entry.path.endswith("/") for entry in image.entries
    )


@pytest.mark.engine
def test_run_config(docker: DockerClient, build: Build) -> None:
    """The run config is read from the image, in Docker's terms."""
    image = snapshot(
        docker,
        build(
            f"FROM {BASE_IMAGE}\n"
            "ENV B=2 A=1\n"
            "LABEL org.example.version=3 org.example.name=demo\n"
            "EXPOSE 8080 53/udp\n"
            "VOLUME /data\n"
            "WORKDIR /srv\n"
            "USER 1000:1000\n"
            "STOPSIGNAL SIGINT\n"
            'ENTRYPOINT ["/bin/sh", "-c"]\n'
            'CMD ["exec serve"]\n'
        ),
    )
    config = image.config
    assert config.env[-2:] == ("B=2", "A=1")
    # Sorted by key; the base image may bring labels of its own.
    ours = [pair for pair in config.labels if pair[0].startswith("org.example.")]
    assert ours == [("org.example.name", "demo"), ("org.example.version", "3")]
    assert config.exposed_ports == ("53/udp", "8080/tcp")
    assert config.volumes == ("/data",)
    assert (config.working_dir, config.user, config.stop_signal) == ("/srv", "1000:1000", "SIGINT")
    assert (config.entrypoint, config.cmd) == (("/bin/sh", "-c"), ("exec serve",))


@pytest.mark.engine
def test_same_dockerfile_twice_is_equivalent(docker: DockerClient, build: Build) -> None:
    """Two separate builds of one Dockerfile give different images that compare equivalent."""
    dockerfile = (
        f"FROM {BASE_IMAGE}\n"
        "COPY data.txt /app/\n"
        "RUN printf hello > /app/tool && chmod 750 /app/tool && ln -s tool /app/current\n"
        'CMD ["/app/tool"]\n'
    )
    files = {"data.txt": b"data\n"}
    first = snapshot(docker, build(dockerfile, files))
    second = snapshot(docker, build(dockerfile, files, fresh=True))
    assert first.image_id != second.image_id
    comparison = compare(first, second)
    assert comparison.equivalent, comparison.format_text()


DIFFERENT = f"""\
FROM {BASE_IMAGE}
RUN mkdir /app && printf hello > /app/tool && chmod {{mode}} /app/tool{{extra}}
CMD {{cmd}}
"""
REFERENCE = {"mode": "755", "extra": " && printf x > /app/extra", "cmd": '["/app/tool"]'}


@pytest.mark.engine
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param({"mode": "700"}, Difference("/app/tool", "mode", 0o755, 0o700), id="mode"),
        pytest.param(
            {"extra": ""}, Difference("/app/extra", "presence", "file", None), id="missing"
        ),
        pytest.param(
            {"cmd": '["/app/tool", "--serve"]'},
            Difference(CONFIG, "Cmd", ("/app/tool",), ("/app/tool", "--serve")),
            id="cmd",
        ),
    ],
)
def test_one_change_one_difference(
    docker: DockerClient, build: Build, change: dict[str, str], expected: Difference
) -> None:
    """One change to the Dockerfile is exactly one difference, at the right path and field."""
    reference = snapshot(docker, build(DIFFERENT.format(**REFERENCE)))
    changed = snapshot(docker, build(DIFFERENT.format(**{**REFERENCE, **change})))
    assert compare(reference, changed).differences == (expected,)


@pytest.mark.engine
def test_image_without_command(docker: DockerClient, build: Build) -> None:
    """An image with neither ENTRYPOINT nor CMD (which `docker create` refuses) is still read."""
    image = snapshot(docker, build("FROM scratch\nCOPY data.txt /data.txt\n", {"data.txt": b"x"}))
    # The engine makes /etc in every container, to hold /etc/hosts and the like.
    assert [entry.path for entry in image.entries] == ["/data.txt", "/etc"]
    assert image.config.cmd == ()


@pytest.mark.engine
def test_no_container_left_behind(docker: DockerClient, build: Build) -> None:
    """The container made for the export is removed, and so is one for a missing image."""

    def labelled() -> set[bytes]:
        listed = docker.run(["ps", "--all", "--quiet", "--no-trunc", "--filter", f"label={LABEL}"])
        assert listed.ok, listed.describe()
        return set(listed.stdout.split())

    # Compared with what was there before, in case another run shares the engine.
    before = labelled()
    snapshot(docker, build(f"FROM {BASE_IMAGE}\n"))
    with pytest.raises(SnapshotError, match="cannot inspect image"):
        snapshot(docker, "migrator-test/no-such-image:missing")
    assert labelled() - before == set()


# --- read_export() on tar streams made here -----------------------------------------------


def tar_stream(*members: tuple[tarfile.TarInfo, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for info, content in members:
            info.size = len(content) if info.type == tarfile.REGTYPE else 0
            archive.addfile(info, io.BytesIO(content) if content else None)
    buffer.seek(0)
    return buffer


def member(name: str, kind: bytes = tarfile.REGTYPE, **attributes: object) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    for key, value in attributes.items():
        setattr(info, key, value)
    return info


def test_read_export_normalises_paths_and_shares_hardlink_content() -> None:
    """`./app/` becomes /app; a hardlink carries its target's size and hash."""
    entries, ignored = read_export(
        tar_stream(
            (member("./app/", tarfile.DIRTYPE, mode=0o755), b""),
            (member("app/tool", mode=0o4755, uid=1, gid=2, mtime=7), b"hello"),
            (member("app/tool2", tarfile.LNKTYPE, linkname="app/tool", mode=0o4755), b""),
            (member(".dockerenv", mode=0o755), b""),
            (member("proc/", tarfile.DIRTYPE), b""),
            (member("proc/self", tarfile.SYMTYPE, linkname="1"), b""),
        )
    )
    hello = hashlib.sha256(b"hello").hexdigest()
    assert entries == (
        Entry("/app", "dir", mode=0o755, mtime=0),
        Entry("/app/tool", "file", mode=0o4755, uid=1, gid=2, size=5, sha256=hello, mtime=7),
        Entry(
            "/app/tool2", "hardlink", mode=0o4755, size=5, sha256=hello, link="/app/tool", mtime=0
        ),
    )
    assert ignored == ("/.dockerenv", "/proc", "/proc/self")


def test_read_export_keeps_file_capabilities() -> None:
    """A file capability (security.capability xattr) is part of the entry, as hex."""
    ping = member("bin/ping", mode=0o755)
    ping.pax_headers = {"SCHILY.xattr.security.capability": "\x01\x00\x00\x02"}
    (entry,), _ = read_export(tar_stream((ping, b"ping")))
    assert entry.xattrs == (("security.capability", "01000002"),)


def test_read_export_etc_mtime_is_unknown() -> None:
    """The engine writes into /etc when it creates a container, so its mtime is not the image's."""
    entries, _ = read_export(tar_stream((member("etc/", tarfile.DIRTYPE, mtime=99), b"")))
    assert entries[0].mtime is None


# --- DockerClient, with /bin/sh as the binary -----------------------------------------------

SH = DockerClient(binary="/bin/sh", env={"MIGRATOR_TEST_VALUE": "set"}, timeout=5)


def test_run_returns_a_failure_as_a_value() -> None:
    """A non-zero exit is a result with the output, the exit code and the duration."""
    result = SH.run(["-c", 'cat; echo "$MIGRATOR_TEST_VALUE" >&2; exit 3'], input=b"in")
    assert (result.returncode, result.stdout, result.stderr) == (3, b"in", b"set\n")
    assert not result.ok
    assert result.duration >= 0
    assert result.describe().endswith("exit 3\nset")


def test_run_timeout_raises_and_ends_the_helpers_too() -> None:
    """A timeout is an EngineError with stderr's tail, raised without waiting for grandchildren."""
    started = time.monotonic()
    with pytest.raises(EngineError, match=r"timed out after 0.5s\nbefore") as raised:
        SH.run(["-c", "echo before >&2; sleep 30"], timeout=0.5)
    assert time.monotonic() - started < 10
    assert raised.value.command == ("/bin/sh", "-c", "echo before >&2; sleep 30")


def test_missing_binary_raises() -> None:
    """A client binary that does not exist is an EngineError, and engine_available says why."""
    missing = DockerClient(binary="/nonexistent/docker")
    with pytest.raises(EngineError, match="cannot start /nonexistent/docker"):
        missing.run(["version"])
    reason = engine_available(missing)
    assert reason is not None and "cannot start" in reason


def test_stream_hands_over_stdout_and_then_the_result() -> None:
    """stream() yields stdout as it comes; wait() gives the exit code and stderr afterwards."""
    with SH.stream(["-c", "head -c 300000 /dev/zero; echo done >&2; exit 2"]) as process:
        assert len(process.stdout.read()) == 300000
        result = process.wait()
    assert (result.returncode, result.stdout, result.stderr) == (2, b"", b"done\n")


def test_stream_timeout_raises_on_leaving_the_block() -> None:
    """A stream that outlives its timeout is killed, and leaving the block raises EngineError."""
    with (
        pytest.raises(EngineError, match="timed out"),
        SH.stream(["-c", "echo partial; sleep 30"], timeout=0.5) as process,
    ):
        assert process.stdout.read() == b"partial\n"
