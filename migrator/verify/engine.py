"""The Docker command-line client, as the one place in verify/ that starts processes.

Everything else in verify/ describes *what* to ask the engine (``["image", "inspect", ref]``)
and reads the answer; this module owns how a process is started, fed, timed out and reaped.

A non-zero exit is an answer, not an error: ``docker image inspect missing`` exiting 1 is how
the engine says "no such image", and the caller decides what that means. Only the cases where
there is no answer at all raise :class:`EngineError`: the binary cannot be started, or the
command outlived its timeout (a hung daemon must not hang the migration).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import IO

__all__ = [
    "DEFAULT_TIMEOUT",
    "DockerClient",
    "EngineError",
    "RunResult",
    "Streaming",
    "engine_available",
    "run_program",
]

# Builds of real projects can take minutes; anything past ten is a hung daemon or a hung
# network, and the verify step should say so rather than wait forever.
DEFAULT_TIMEOUT = 600.0

# Enough to see the daemon's actual complaint, which is usually the last line or two, without
# pasting a whole build log into an error message.
_TAIL_LINES = 20

_DRAIN_CHUNK = 1 << 16


def _tail(data: bytes, lines: int = _TAIL_LINES) -> str:
    text = data.decode("utf-8", errors="replace").rstrip()
    return "\n".join(text.splitlines()[-lines:])


class EngineError(Exception):
    """The engine gave no answer at all: the client binary is missing, or a command timed out."""

    def __init__(self, command: Sequence[str], reason: str, stderr_tail: str = "") -> None:
        self.command = tuple(command)
        self.reason = reason
        self.stderr_tail = stderr_tail
        message = f"{' '.join(self.command)}: {reason}"
        if stderr_tail:
            message += f"\n{stderr_tail}"
        super().__init__(message)


@dataclass(frozen=True)
class RunResult:
    """What one finished command did; like ``subprocess.CompletedProcess``, but a value."""

    args: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes
    duration: float
    """Wall-clock seconds from start to exit."""

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def stderr_tail(self, lines: int = _TAIL_LINES) -> str:
        return _tail(self.stderr, lines)

    def describe(self) -> str:
        """One message for a failed command: the command, its exit code and what it said."""
        message = f"{' '.join(self.args)}: exit {self.returncode}"
        tail = self.stderr_tail()
        return f"{message}\n{tail}" if tail else message


@dataclass(frozen=True)
class DockerClient:
    """How to reach one engine: which client binary, with which extra environment.

    ``env`` is laid over the environment this process was started with, so that a user's own
    ``DOCKER_HOST`` or ``DOCKER_CONFIG`` still applies unless the client overrides it.
    """

    binary: str = "docker"
    env: Mapping[str, str] = field(default_factory=dict, hash=False)
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        # A copy behind a read-only view: the caller's dict may change later, this value may not.
        object.__setattr__(self, "env", MappingProxyType(dict(self.env)))

    def with_env(self, **extra: str) -> DockerClient:
        """The same client with more (or overriding) environment, e.g. ``DOCKER_BUILDKIT="0"``."""
        return replace(self, env={**self.env, **extra})

    def command(self, args: Sequence[str]) -> tuple[str, ...]:
        return (self.binary, *args)

    def _start(
        self,
        command: tuple[str, ...],
        *,
        stdin: int,
        stderr: int | IO[bytes],
        cwd: str | os.PathLike[str] | None,
    ) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(
                command,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=stderr,
                cwd=cwd,
                env={**os.environ, **self.env},
                # Its own process group, so that a timeout can end the helpers the client starts
                # too (`docker build` runs the buildx plugin as a child); a helper left alive
                # would hold the output pipe open and the wait for it would never end.
                start_new_session=True,
            )
        except OSError as exc:
            raise EngineError(command, f"cannot start {self.binary}: {exc}") from exc

    def run(
        self,
        args: Sequence[str],
        *,
        input: bytes | None = None,
        timeout: float | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> RunResult:
        """Run ``docker ARGS`` to completion and return what it did, whatever its exit code."""
        command = self.command(args)
        limit = self.timeout if timeout is None else timeout
        started = time.monotonic()
        process = self._start(
            command,
            # DEVNULL, not inherited: the client would otherwise read the terminal of whoever
            # runs migrator.
            stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
        )
        try:
            stdout, stderr = process.communicate(input, timeout=limit)
        except subprocess.TimeoutExpired as exc:
            _kill(process)
            _, stderr = process.communicate()
            raise EngineError(command, f"timed out after {limit:g}s", _tail(stderr)) from exc
        except BaseException:
            # Interrupted (Ctrl-C): the client is in its own session and would outlive us.
            _kill(process)
            process.wait()
            raise
        return RunResult(
            args=command,
            returncode=process.returncode,
            stdout=stdout,
            stderr=stderr,
            duration=time.monotonic() - started,
        )

    @contextlib.contextmanager
    def stream(
        self,
        args: Sequence[str],
        *,
        timeout: float | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> Iterator[Streaming]:
        """Run ``docker ARGS`` and hand over its stdout as it is produced.

        For output too large to hold in memory (``docker export``). Read ``.stdout`` inside the
        ``with`` block, then call ``.wait()`` for the result. Leaving the block early kills the
        process; a timeout kills it too and raises :class:`EngineError` on leaving the block.
        """
        command = self.command(args)
        limit = self.timeout if timeout is None else timeout
        # stderr goes to a file, not a pipe: nobody reads it while stdout is being consumed,
        # and a full stderr pipe would stall the client mid-stream.
        with tempfile.TemporaryFile() as stderr_file:
            started = time.monotonic()
            process = self._start(command, stdin=subprocess.DEVNULL, stderr=stderr_file, cwd=cwd)
            streaming = Streaming(command, process, stderr_file, started)
            # A reader blocked on a silent pipe cannot notice a deadline itself; a timer kills
            # the process, which closes the pipe and unblocks the reader.
            timer = threading.Timer(limit, streaming._expire)
            timer.daemon = True
            timer.start()
            try:
                yield streaming
            finally:
                timer.cancel()
                if process.poll() is None:
                    _kill(process)
                process.wait()
                streaming.stdout.close()
                if streaming.timed_out:
                    stderr_file.seek(0)
                    raise EngineError(
                        command, f"timed out after {limit:g}s", _tail(stderr_file.read())
                    )


def _kill(process: subprocess.Popen[bytes]) -> None:
    # ProcessLookupError: already gone, helpers and all.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


class Streaming:
    """A running command whose stdout is being read; not a value, so not a dataclass."""

    def __init__(
        self,
        args: tuple[str, ...],
        process: subprocess.Popen[bytes],
        stderr_file: IO[bytes],
        started: float,
    ) -> None:
        assert process.stdout is not None  # Popen was given stdout=PIPE
        self.args = args
        self.stdout: IO[bytes] = process.stdout
        self.timed_out = False
        self._process = process
        self._stderr_file = stderr_file
        self._started = started

    def _expire(self) -> None:
        self.timed_out = True
        _kill(self._process)

    def wait(self) -> RunResult:
        """Wait for exit (after stdout was read to its end) and return what the command did.

        ``stdout`` in the result is empty: it went to the reader.
        """
        # Whatever the reader left unread would keep the client blocked on a full pipe.
        while self.stdout.read(_DRAIN_CHUNK):
            pass
        returncode = self._process.wait()
        self._stderr_file.seek(0)
        return RunResult(
            args=self.args,
            returncode=returncode,
            stdout=b"",
            stderr=self._stderr_file.read(),
            duration=time.monotonic() - self._started,
        )


def engine_available(client: DockerClient, *, timeout: float = 30.0) -> str | None:
    """None if the client reaches a server, else why not (for a skip or failure message)."""
    try:
        result = client.run(["version", "--format", "{{.Server.Version}}"], timeout=timeout)
    except EngineError as exc:
        return str(exc)
    if not result.ok:
        return result.describe()
    if not result.stdout.strip():
        return f"{' '.join(result.args)}: printed no server version"
    return None


def run_program(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: str | os.PathLike[str],
    timeout: float,
) -> RunResult:
    """Run a build entry point (a script, make) the way `DockerClient.run` runs the client:
    its own process group, killed whole on timeout or interruption."""
    return DockerClient(binary=argv[0], env=env, timeout=timeout).run(argv[1:], cwd=cwd)
