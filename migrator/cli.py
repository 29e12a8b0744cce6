"""The `migrate` command. The only module that prints; one place decides the exit code."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from migrator.pipeline import Outcome, Status, analyze
from migrator.report import EXIT_OK, EXIT_USAGE, Entry, Report, problem_line
from migrator.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def _options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(f: F) -> F:
        for d in reversed(decorators):
            f = d(f)
        return f

    return apply


# Declared once, reused by every command that takes them.
common_options = _options(
    click.option("--dry-run", "--diff", "dry_run", is_flag=True,
                 help="Print a unified diff of every change; write nothing."),
    click.option("--check", is_flag=True,
                 help="Write nothing; print one line per project; exit 1 if any would change."),
    click.option("--json", "as_json", is_flag=True,
                 help="Print the report as JSON (docs/report.md)."),
    click.option("--explain", is_flag=True,
                 help="Print the artifact flow, each step with the line that caused it."),
    click.option("--keep-legacy", is_flag=True, help="Keep the builder Dockerfiles."),
    click.option("--buildkit", is_flag=True,
                 help="Allow BuildKit-only syntax in the output (cache mounts for the caches "
                      "a build container mounted)."),
    click.option("--entry", metavar="COMMAND",
                 help="The legacy build as a user runs it: 'make container', 'build.sh', "
                      "'make -C sub image' (default: found; the report says which and why)."),
    click.option("--make-target", metavar="TARGET",
                 help="Same as --entry 'make TARGET'."),
    click.option("--set", "overrides", metavar="NAME=VALUE", multiple=True,
                 callback=lambda _c, _p, v: _pairs(v),
                 help="Give a variable a value, as `make NAME=VALUE` would (repeatable)."),
    click.option("-j", "--jobs", type=click.IntRange(1, 256), default=None,
                 help="Projects analysed in parallel (default: CPU count for several)."),
)

verify_options = _options(
    click.option("--verify", is_flag=True,
                 help="Build the legacy flow and the migrated Dockerfile on a Docker engine and "
                      "compare the images; write only if they match. Exit 0 equivalent, "
                      "1 different, 4 verification could not run."),
    click.option("--builder", type=click.Choice(["buildkit", "classic"]), default=None,
                 help="Builder for --verify (default: what the engine and client use)."),
    click.option("--docker", "docker_binary", default="docker", metavar="PATH", show_default=True,
                 help="Docker client binary for --verify."),
    click.option("--timeout", type=click.FloatRange(1), default=1800.0, show_default=True,
                 help="Seconds each build flow may take under --verify."),
    click.option("--mtimes", is_flag=True, help="Also compare modification times (--verify)."),
)


def _pairs(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for v in values:
        name, eq, value = v.partition("=")
        if not eq or not name:
            raise click.BadParameter(f"{v!r}: expected NAME=VALUE", param_hint="--set")
        pairs.append((name, value))
    return tuple(pairs)


def _analyze_all(paths: list[str], settings: Settings, jobs: int | None) -> list[Outcome]:
    if len(paths) == 1 or jobs == 1:
        return [analyze(p, settings) for p in paths]
    from concurrent.futures import ProcessPoolExecutor

    workers = jobs or min(len(paths), os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(analyze, paths, [settings] * len(paths), chunksize=4))


def _err(line: str) -> None:
    click.echo(line, err=True)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(file_okay=False, exists=True))
@common_options
@verify_options
@click.version_option(package_name=None, version=None, message="migrator %(version)s",
                      prog_name="migrate")
def main(paths: tuple[str, ...], dry_run: bool, check: bool, as_json: bool, explain: bool,
         keep_legacy: bool, buildkit: bool, entry: str | None, make_target: str | None,
         overrides: tuple[tuple[str, str], ...], jobs: int | None,
         verify: bool,
         builder: str | None, docker_binary: str, timeout: float, mtimes: bool) -> None:
    """Turn builder-pattern projects (Dockerfile.build + Dockerfile + build script) into one
    multi-stage Dockerfile. PATH is a project directory; give several for a batch."""
    if dry_run and check:
        raise click.UsageError("--dry-run and --check exclude each other")
    if entry and make_target:
        raise click.UsageError("--entry and --make-target exclude each other")
    settings = Settings(keep_legacy=keep_legacy, buildkit=buildkit,
                        entry=entry or (f"make {make_target}" if make_target else None),
                        overrides=overrides)
    mode = "dry-run" if dry_run else "check" if check else "write"
    report = Report(mode)
    verify_settings = None
    if verify:
        from migrator.verify.run import VerifySettings

        verify_settings = VerifySettings(docker_binary, builder, timeout, mtimes)
    for outcome in _analyze_all(list(paths), settings, jobs):
        try:
            report.add(_handle(outcome, mode, verify_settings))
        except BaseException as exc:
            from migrator.verify.run import Interrupted

            if isinstance(exc, Interrupted):
                _err(f"{outcome.project}: interrupted; everything verification made was removed")
                sys.exit(128 + exc.signum)
            raise
    _print(report, dry_run=dry_run, check=check, as_json=as_json, explain=explain)
    sys.exit(report.exit_code)


def _handle(outcome: Outcome, mode: str, verify_settings: Any) -> Entry:
    entry = Entry(outcome)
    if outcome.status is not Status.MIGRATE or outcome.plan is None:
        return entry
    from migrator import write

    changes = outcome.plan.changes
    entry.diff = write.unified_diff(outcome.project.rstrip("/"), changes)
    if verify_settings is not None:
        from migrator.verify.run import Entry as BuildEntry
        from migrator.verify.run import verify

        assert outcome.entry is not None and outcome.flow is not None
        path, kind, target = outcome.entry
        tags = tuple(t.value for t in outcome.flow.runtime.tags)
        result = verify(outcome.project, changes, BuildEntry(path, kind, target, tags),
                        verify_settings)
        entry.verification = result.to_json()
        entry.verification_text = result.format_text()
        entry.verify_exit = result.exit_code
        if result.exit_code != 0:
            return entry
    if mode == "write":
        try:
            write.write(outcome.project, changes)
            entry.written = True
        except (OSError, write.WriteError) as exc:
            from migrator.model import error

            entry.outcome = Outcome(outcome.project, Status.FAILED, "cannot write",
                                    problems=(error(None, str(exc)),))
    return entry


def _print(report: Report, *, dry_run: bool, check: bool, as_json: bool, explain: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    for e in report.entries:
        o = e.outcome
        for p in o.problems:
            _err(problem_line(o.project, p))
        if o.status is Status.FAILED and not o.problems:
            _err(f"{o.project}: error: {o.reason}")
        if as_json:
            continue
        if dry_run and e.diff:
            click.echo(e.diff, nl=False)
        if e.verification_text:
            click.echo(e.verification_text)
        if check:
            click.echo(report.check_line(e))
        if explain and o.plan is not None:
            click.echo(f"# {o.project}: {o.script}")
            for line in o.plan.explain:
                click.echo(f"#   {line}")
    _err(report.summary())


def run(argv: Iterable[str]) -> int:
    """Run the CLI in-process (tests); returns the exit code."""
    try:
        main.main(list(argv), prog_name="migrate", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    return EXIT_OK
