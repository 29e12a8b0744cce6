"""Verify a migration: build the legacy flow and the migrated one for real, compare the images.

Both flows run as the project really runs them: its own entry point (`build.sh`, `make TARGET`),
unmodified, in a throwaway copy of the project (the legacy copy as it is, the migrated copy with
the planned changes applied), with `migrator.verify.shim` first on PATH as `docker` and `sudo`.
The shim keeps every tag, container and volume the scripts make in a private namespace, makes
push/login no-ops, refuses what could touch anything else, and records what was made so that it
is all removed afterwards, also when a build fails or the process is interrupted.

What this misses: anything the scripts do outside docker and the copy (a script that writes
to absolute host paths is refused by the shim only when it passes them to docker), and what
the engine keeps as build cache (left for reuse: that is what makes the second build fast).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from migrator.verify.cleanup import cleanup, image_ids
from migrator.verify.compare import Comparison, compare
from migrator.verify.engine import DockerClient, EngineError, engine_available, run_program
from migrator.verify.outputs import host_snapshot, output_paths, stat_tree, written
from migrator.verify.shim import State, map_image
from migrator.verify.snapshot import snapshot

BUILDERS = {"buildkit": "1", "classic": "0"}


@dataclass(frozen=True)
class VerifySettings:
    docker: str = "docker"  # the client binary
    builder: str | None = None  # "buildkit" | "classic" | None: what the client does by default
    timeout: float = 1800.0  # per flow
    mtimes: bool = False
    env: tuple[tuple[str, str], ...] = ()  # for the client: which engine (`--engine`)
    # `--set NAME=VALUE`: what the user gives the entry point (the script's environment, or
    # `make NAME=VALUE`), so both flows build what the migration was planned for
    overrides: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Entry:
    """How the project builds: the script (project-relative) and, for make, the target."""

    path: str
    kind: str  # "shell" | "make" | "python" | "docs" | "ci" (not run: see verify)
    target: str | None
    final_tags: tuple[str, ...]  # the tags of the final image, as the script names them


@dataclass(frozen=True)
class FlowRun:
    name: str  # "legacy" | "migrated"
    ok: bool
    seconds: float
    command: tuple[str, ...]
    log_tail: str
    final: str | None  # the private ref of the final image
    left_images: tuple[str, ...] = ()  # tags the flow left behind (as the script named them)
    left_containers: int = 0
    left_files: tuple[str, ...] = ()  # files in the project the flow left behind
    pushed: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "seconds": round(self.seconds, 3), "command": list(self.command),
            "final_image": self.final, "left_behind": {
                "images": list(self.left_images), "containers": self.left_containers,
                "files": list(self.left_files)},
            "would_push": list(self.pushed), **({} if self.ok else {"log_tail": self.log_tail}),
        }


@dataclass(frozen=True)
class Verification:
    status: str  # "equivalent" | "different" | "error"
    message: str
    builder: str
    legacy: FlowRun | None = None
    migrated: FlowRun | None = None
    comparison: Comparison | None = None
    cleanup_problems: tuple[str, ...] = field(default=())

    @property
    def exit_code(self) -> int:
        return {"equivalent": 0, "different": 1}.get(self.status, 4)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status, "message": self.message, "builder": self.builder,
            "legacy": self.legacy.to_json() if self.legacy else None,
            "migrated": self.migrated.to_json() if self.migrated else None,
            "comparison": self.comparison.to_json() if self.comparison else None,
            "cleanup_problems": list(self.cleanup_problems),
        }

    def format_text(self) -> str:
        lines = [f"verify ({self.builder}): {self.status}: {self.message}"]
        for run in (self.legacy, self.migrated):
            if run is None:
                continue
            lines.append(f"  {run.name}: {'ok' if run.ok else 'FAILED'} in {run.seconds:.1f}s"
                         f" ({' '.join(run.command)})")
            if run.left_images or run.left_containers or run.left_files:
                lines.append(f"    left behind: images {list(run.left_images)}, "
                             f"{run.left_containers} containers, files {list(run.left_files)}")
            if not run.ok:
                lines.extend("    | " + x for x in run.log_tail.splitlines())
        if self.comparison is not None:
            lines.extend("  " + x for x in self.comparison.format_text().splitlines())
        lines.extend(f"  cleanup: {p}" for p in self.cleanup_problems)
        return "\n".join(lines)


# ------------------------------------------------------------------ the sandbox


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived during verification (after which everything was cleaned up)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM (and SIGINT) end the verification through its cleanup, not around it."""
    if sys.modules["threading"].current_thread() is not sys.modules["threading"].main_thread():
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        raise Interrupted(signum)

    old = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """Cleanup is not to be cut short by a second Ctrl-C."""
    if sys.modules["threading"].current_thread() is not sys.modules["threading"].main_thread():
        yield
        return
    old = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _shim_dir(root: str) -> str:
    bin_dir = os.path.join(root, "bin")
    os.makedirs(bin_dir)
    for prog in ("docker", "podman", "sudo"):
        path = os.path.join(bin_dir, prog)
        with open(path, "w", encoding="utf-8") as f:
            f.write(f'#!/bin/sh\nexec "{sys.executable}" -m migrator.verify.shim {prog} "$@"\n')
        os.chmod(path, 0o755)
    return bin_dir


def _entry_argv(copy: str, entry: Entry, overrides: tuple[tuple[str, str], ...] = ()
                ) -> tuple[str, ...]:
    if entry.kind == "make":
        return ("make", "-f", entry.path, *((entry.target,) if entry.target else ()),
                *(f"{name}={value}" for name, value in overrides))
    if entry.kind == "python":
        return python_argv(entry.path, entry.target)
    if entry.kind == "docs":  # what a person following the documentation runs
        from migrator.readers.docs import documented_commands

        return ("bash", "-e", "-c", documented_commands(copy))
    with open(os.path.join(copy, entry.path), encoding="utf-8", errors="replace") as f:
        first = f.readline().strip()
    path = os.path.relpath(entry.path, _run_dir(entry))  # from where the script is run
    if first.startswith("#!"):
        return (*first[2:].split(), path)
    return ("sh", path)


def _run_dir(entry: Entry) -> str:
    """Where the entry point runs (project-relative): where the analysis read it as run from,
    a script's own directory unless it is in a conventional scripts folder (entries.run_dir)."""
    if entry.kind != "shell":
        return "."
    from migrator.entries import run_dir
    from migrator.model import PROJECT

    return run_dir(entry.path).removeprefix(PROJECT).lstrip("/") or "."


def python_argv(path: str, task: str | None) -> tuple[str, ...]:
    """How a Python build script is run: `python3 build.py`, `invoke TASK`, `nox -s SESSION`
    (with the Python that runs migrator, which has the docker SDK)."""
    if task is None:
        return (sys.executable, path)
    if os.path.basename(path) == "noxfile.py":
        return (sys.executable, "-m", "nox", "-f", path, "-s", task)
    return (sys.executable, "-m", "invoke", "-r", os.path.dirname(path) or ".", "-c",
            os.path.basename(path)[:-3], task)


def _engine_host(client: DockerClient) -> str | None:
    """DOCKER_HOST, or the current context's endpoint (the sandbox has an empty docker config)."""
    host = client.env.get("DOCKER_HOST", os.environ.get("DOCKER_HOST"))  # "": use the context
    if host:
        return host
    found = client.run(["context", "inspect", "--format", "{{.Endpoints.docker.Host}}"],
                       timeout=30)
    value = found.stdout.decode().strip()
    return value if found.ok and value else None


def _files(root: str) -> set[str]:
    from migrator.discover import scan

    return set(scan(root)[0])


def _run_flow(name: str, copy: str, work: str, entry: Entry, client: DockerClient,
              settings: VerifySettings, host: str | None,
              state_files: list[str]) -> tuple[FlowRun, State]:
    token = secrets.token_hex(5)
    state = State(token=token, sandbox=copy, scratch=work)
    state_file = os.path.join(work, f"{name}.state.json")
    with open(state_file, "w", encoding="utf-8") as f:
        json.dump(state.to_json(), f)
    # Known to the cleanup before anything runs: an interruption mid-build must still find it.
    state_files.append(state_file)
    home = os.path.join(work, f"{name}-home")
    os.makedirs(os.path.join(home, ".docker"))
    package_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    # Python build scripts: the Docker SDK gets the shim's rules too (migrator.verify.sdk_shim).
    site = os.path.join(work, f"{name}-site")
    os.makedirs(site)
    with open(os.path.join(site, "sitecustomize.py"), "w", encoding="utf-8") as f:
        f.write("from migrator.verify.sdk_shim import install\n\ninstall()\n")
    env = {
        "PATH": _shim_dir(os.path.join(work, f"{name}-shim")) + os.pathsep + os.environ.get(
            "PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": home,
        "DOCKER_CONFIG": os.path.join(home, ".docker"),  # empty: no registry credentials
        "MIGRATOR_SHIM_STATE": state_file,
        # Resolved here: on the flow's PATH, `docker` is the shim itself.
        "MIGRATOR_SHIM_DOCKER": shutil.which(client.binary) or client.binary,
        "PYTHONPATH": os.pathsep.join([site, package_parent, os.environ.get("PYTHONPATH", "")]),
    }
    if host:
        env["DOCKER_HOST"] = host
    if settings.builder:
        env["DOCKER_BUILDKIT"] = BUILDERS[settings.builder]
    before = _files(copy)
    argv = _entry_argv(copy, entry, settings.overrides)
    given = dict(settings.overrides) if entry.kind != "make" else {}  # never over the sandbox's
    started = time.monotonic()
    try:
        result = run_program(argv, env={**_clean_env(), **given, **env},
                             cwd=os.path.join(copy, _run_dir(entry)),
                             timeout=settings.timeout)
        ok, tail = result.ok, (result.stdout + result.stderr).decode("utf-8", "replace")
    except EngineError as exc:
        ok, tail = False, f"{exc.reason}\n{exc.stderr_tail}"
    seconds = time.monotonic() - started
    state = State.load(state_file)
    final = _final_ref(state, entry)
    if final is not None and not client.run(["image", "inspect", final], timeout=60).ok:
        final = None  # the tag is mapped, but the build that makes it failed
    left = _files(copy) - before
    finals = {map_image(state, t) for t in entry.final_tags} | {final}
    tagged = [ref for ref, private in state.images.items()
              if private not in finals and client.run(["image", "inspect", private],
                                                      timeout=60).ok]
    containers = client.run(["ps", "-aq", "--filter", f"label=migrator.verify={token}"],
                            timeout=60).stdout.split()
    tail_lines = _log_tail(tail)
    # An extraction-only flow's result is files (`docker cp`, `build --output`), not an image.
    made = final is not None or bool(state.outputs) or not entry.final_tags
    return FlowRun(name, ok and made, seconds, argv,
                   tail_lines if ok and made else (tail_lines or "no final image was built"),
                   final, tuple(sorted(tagged)), len(containers),
                   tuple(sorted(f for f in left if ".mv-" not in f)), tuple(state.pushed)), state


def _log_tail(log: str, lines: int = 25) -> str:
    """The end of a build log, preceded by earlier error lines: in a script without `set -e`
    the failing step is often long before the end."""
    all_lines = log.rstrip().splitlines()
    head = all_lines[:-lines]
    errors = [x for x in head if re.search(r"error|failed|non-zero code|not found", x, re.I)]
    shown = [*errors[-8:], "..."] if errors else []
    return "\n".join([*shown, *all_lines[-lines:]])


def _clean_env() -> dict[str, str]:
    keep = ("LANG", "LC_ALL", "TERM", "TMPDIR", "USER", "LOGNAME", "SHELL", "CI")
    return {k: v for k, v in os.environ.items() if k in keep}


def _final_ref(state: State, entry: Entry) -> str | None:
    for tag in entry.final_tags:
        private = map_image(state, tag)
        if private != tag:
            return private
    # The tag was not known statically: the last image the flow built.
    for iid_file in reversed(state.image_ids):
        with contextlib.suppress(OSError), open(iid_file, encoding="utf-8") as f:
            iid = f.read().strip()
            if iid:
                return iid
    return None


def verify(root: str, changes: Sequence[Any], entry: Entry,
           settings: VerifySettings) -> Verification:
    """Build both flows from copies of `root` (the migrated one with `changes` applied).

    Raises `Interrupted` on SIGINT/SIGTERM, after removing everything it created.
    """
    client = DockerClient(binary=settings.docker, env=dict(settings.env))
    if settings.builder:
        client = client.with_env(DOCKER_BUILDKIT=BUILDERS[settings.builder])
    builder = settings.builder or ("buildkit" if os.environ.get("DOCKER_BUILDKIT") == "1"
                                   else "default")
    if entry.kind == "ci":  # its steps run on the CI system, with the job's env: not here
        return Verification("error", f"the flow is run by the CI definition or task file "
                            f"{entry.path}; --verify runs scripts, Makefiles, Python build "
                            "scripts and documented commands, not CI jobs or tasks", builder)
    try:
        reason = engine_available(client)
    except EngineError as exc:
        reason = str(exc)
    if reason is not None:
        return Verification("error", f"no Docker engine: {reason}", builder)
    host = _engine_host(client)
    work = tempfile.mkdtemp(prefix="migrator-verify-")
    state_files: list[str] = []
    result: Verification | None = None
    existing = image_ids(client)
    try:
        with _signals_interrupt():
            result = _verify_in(work, root, changes, entry, settings, client, host, builder,
                                state_files)
    finally:
        with _signals_ignored():
            settle = result is None or result.status == "error"
            problems = cleanup(client, state_files, settle, existing)
            shutil.rmtree(work, ignore_errors=True)
    return replace(result, cleanup_problems=tuple(problems))


def _verify_in(work: str, root: str, changes: Sequence[Any], entry: Entry,
               settings: VerifySettings, client: DockerClient, host: str | None, builder: str,
               state_files: list[str]) -> Verification:
    from migrator import write

    legacy = migrated = None
    try:
        legacy_copy = os.path.join(work, "legacy")
        new_copy = os.path.join(work, "migrated")
        shutil.copytree(root, legacy_copy, symlinks=True)
        shutil.copytree(root, new_copy, symlinks=True)
        write.write(new_copy, changes)
        trees = {"legacy": stat_tree(legacy_copy), "migrated": stat_tree(new_copy)}
        legacy, _ = _run_flow("legacy", legacy_copy, work, entry, client, settings, host,
                              state_files)
        if not legacy.ok:
            return Verification("error", "the legacy build failed", builder, legacy)
        migrated, migrated_state = _run_flow("migrated", new_copy, work, entry, client,
                                             settings, host, state_files)
        if not migrated.ok:
            return Verification("error", "the migrated build failed", builder, legacy, migrated)
        outputs = output_paths(new_copy, migrated_state.outputs)
        if outputs and not entry.final_tags:
            # Extraction-only: what either flow wrote where the migrated build writes its files.
            paths = written(legacy_copy, trees["legacy"], outputs) | written(
                new_copy, trees["migrated"], outputs)
            match = f"the files written to {', '.join(outputs)} match the legacy flow's"
            comparison = compare(host_snapshot(legacy_copy, outputs, "legacy", only=paths),
                                 host_snapshot(new_copy, outputs, "migrated", only=paths),
                                 mtimes=settings.mtimes)
        elif legacy.final is None or migrated.final is None:
            return Verification("error", "no image and no --output files to compare", builder,
                                legacy, migrated)
        else:
            match = "the migrated image matches the legacy image"
            comparison = compare(snapshot(client, legacy.final),
                                 snapshot(client, migrated.final), mtimes=settings.mtimes)
    except EngineError as exc:
        return Verification("error", f"engine: {exc}", builder, legacy, migrated)
    if comparison.equivalent:
        return Verification("equivalent", match, builder, legacy, migrated, comparison)
    n = len(comparison.differences)
    return Verification("different", f"{n} difference{'' if n == 1 else 's'}", builder,
                        legacy, migrated, comparison)
