"""Verification spread over several engines (`--engine`, repeated).

Each engine gets a worker process of its own (verification installs signal handlers, which
only a main thread may), and at most one project at a time. An engine that stops answering is
taken out: the project it had goes back to the queue for another engine, so a broken engine
never fails a project. When no engine is left, the projects still waiting are reported as
"verification could not run" (exit 4).

An engine is named as a DOCKER_HOST URL (`unix://`, `tcp://`, `ssh://`), as `builder:NAME` (a
buildx builder of the `docker` driver: its engine), or else as a docker context name (resolved to
its endpoint once, in the engine's worker).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import Connection, wait
from typing import Any

from migrator.report import EXIT_VERIFY_ERROR, Entry

_URL_SCHEMES = ("unix://", "tcp://", "ssh://", "npipe://", "fd://", "http://", "https://")


def engine_env(engine: str, docker: str = "docker") -> dict[str, str]:
    """The environment that points the docker client at `engine`."""
    if engine.startswith(_URL_SCHEMES):
        return {"DOCKER_HOST": engine}
    if engine.startswith("builder:"):
        return _buildx_engine(engine.removeprefix("builder:"), docker)
    return engine_env(_context_host(engine, docker), docker)


def _context_host(name: str, docker: str) -> str:
    """A docker context's engine endpoint (its TLS material is not carried over)."""
    from migrator.verify.engine import DockerClient

    found = DockerClient(binary=docker).run(
        ["context", "inspect", name, "--format", "{{.Endpoints.docker.Host}}"], timeout=60)
    host = found.stdout.decode().strip()
    if not found.ok or "://" not in host:
        raise ValueError(f"docker context {name}: {found.describe()}")
    return host


def _buildx_engine(name: str, docker: str) -> dict[str, str]:
    """A buildx builder's engine: only the `docker` driver has one that can also run the legacy
    flow's containers (`docker run`, `create`, `cp`)."""
    from migrator.verify.engine import DockerClient

    found = DockerClient(binary=docker).run(["buildx", "inspect", name], timeout=60)
    fields = dict(line.split(":", 1) for line in found.stdout.decode().splitlines()
                  if ":" in line)
    driver = fields.get("Driver", "").strip()
    endpoint = fields.get("Endpoint", "").strip()
    if not found.ok or not endpoint:
        raise ValueError(f"buildx builder {name}: {found.describe()}")
    if driver != "docker":
        raise ValueError(f"buildx builder {name}: driver {driver!r} cannot run the legacy "
                         "flow's containers; name its docker engine instead")
    return engine_env(endpoint if "://" in endpoint else _context_host(endpoint, docker), docker)


def verify_entry(entry: Entry, settings: Any, env: dict[str, str] | None = None) -> Any:
    from migrator.verify.run import Entry as BuildEntry
    from migrator.verify.run import verify

    assert entry.build is not None
    path, kind, target, tags = entry.build
    if env:
        settings = replace(settings, env=tuple(sorted({**dict(settings.env), **env}.items())))
    return verify(entry.project, entry.changes, BuildEntry(path, kind, target, tags), settings)


def apply_verification(entry: Entry, result: Any, engine: str | None = None,
                       span: tuple[float, float] | None = None) -> None:
    where = {"engine": engine, "started": span[0], "finished": span[1]} if engine and span else {}
    entry.verification = {**result.to_json(), **where}
    entry.verification_text = result.format_text()
    entry.verify_exit = result.exit_code


def _engine_down(settings: Any, env: dict[str, str]) -> str | None:
    from migrator.verify.engine import DockerClient, engine_available

    return engine_available(DockerClient(binary=settings.docker, env=env), timeout=30)


def _serve(conn: Connection, engine: str, settings: Any) -> None:
    """An engine's worker: verify what it is sent, one at a time, until told to stop."""
    from migrator.verify.run import Interrupted

    try:
        env = engine_env(engine, settings.docker)
    except (ValueError, OSError) as exc:
        conn.send(("down", str(exc)))
        return
    while (entry := conn.recv()) is not None:
        started = time.time()
        try:
            result = verify_entry(entry, settings, env)
        except Interrupted as exc:
            conn.send(("interrupted", exc.signum))
            return
        down = _engine_down(settings, env) if result.status == "error" else None
        if down is not None:
            conn.send(("down", down))
            return
        conn.send(("done", (result, started, time.time())))


def verify_on_engines(entries: list[Entry], settings: Any, engines: tuple[str, ...],
                      say: Callable[[str], None]) -> None:
    """Verify `entries` (in place), each on one of `engines`, one project per engine at once."""
    queue = deque(entries)
    context = multiprocessing.get_context("fork")
    live: dict[Connection, tuple[str, Any, Entry | None]] = {}
    for engine in engines:
        parent, child = context.Pipe()
        proc = context.Process(target=_serve, args=(child, engine, settings), daemon=True)
        proc.start()
        child.close()  # so that a worker's death reads as EOF here
        live[parent] = (engine, proc, None)

    def terminate(signum: int, _frame: object) -> None:
        for _, proc, _ in live.values():
            proc.terminate()  # each cleans up what it built, then exits
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        _schedule(queue, live, say)
    except KeyboardInterrupt:  # the workers got the SIGINT too and clean up
        raise SystemExit(128 + signal.SIGINT) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop(live)
    for entry in queue:  # no engine left to build them
        entry.verification = {"status": "error", "message": "no engine left to verify on"}
        entry.verification_text = "verify: error: no engine left to verify on"
        entry.verify_exit = EXIT_VERIFY_ERROR


def _schedule(queue: deque[Entry], live: dict[Connection, tuple[str, Any, Entry | None]],
              say: Callable[[str], None]) -> None:
    for conn in list(live):
        _hand_out(conn, queue, live)
    while any(job is not None for _, _, job in live.values()):
        for ready in wait([c for c, (_, _, job) in live.items() if job is not None]):
            assert isinstance(ready, Connection)
            conn = ready
            engine, proc, job = live[conn]
            try:
                kind, value = conn.recv()
            except EOFError:
                kind, value = "down", "its worker exited"
            if kind == "done":
                assert job is not None
                result, started, finished = value
                apply_verification(job, result, engine, (started, finished))
                _hand_out(conn, queue, live)
            elif kind == "interrupted":
                raise SystemExit(128 + int(value))
            else:
                say(f"engine {engine}: taken out: {value}")
                if job is not None:
                    queue.appendleft(job)
                del live[conn]
                proc.join(timeout=5)
        if not live:
            return


def _hand_out(conn: Connection, queue: deque[Entry],
              live: dict[Connection, tuple[str, Any, Entry | None]]) -> None:
    engine, proc, _ = live[conn]
    job = queue.popleft() if queue else None
    live[conn] = (engine, proc, job)
    if job is not None:
        with contextlib.suppress(OSError):  # gone: its last word ("down") or EOF comes next
            conn.send(job)


def _stop(live: dict[Connection, tuple[str, Any, Entry | None]]) -> None:
    for conn, (_, proc, _) in list(live.items()):
        with contextlib.suppress(OSError):
            conn.send(None)
        proc.join(timeout=600 if proc.is_alive() else 0)
