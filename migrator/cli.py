"""The `migrate` command. The only module that prints; one place decides the exit code."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from migrator.pipeline import Status
from migrator.report import EXIT_OK, EXIT_USAGE, Report, problem_line
from migrator.settings import Settings

if TYPE_CHECKING:
    from migrator.fleet.options import FleetOptions
    from migrator.report import Entry

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
                 help="The builder the project's builds run on. classic: an extraction-only "
                      "flow keeps its legacy steps (docker build --output needs BuildKit); "
                      "buildkit: also allows BuildKit-only syntax (as --buildkit); --verify "
                      "builds with it (default: what the engine and client use)."),
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


fleet_options = _options(
    click.option("-r", "--recursive", is_flag=True,
                 help="Find every legacy project under each PATH (monorepos, folders of "
                      "clones)."),
    click.option("-q", "--quiet", is_flag=True,
                 help="No progress bar, summary line or table; only problems."),
    click.option("--report", "reports", multiple=True, metavar="FILE.json|FILE.html",
                 help="Also write the report to FILE: JSON (docs/report.md) or one "
                      "self-contained HTML page. Repeatable."),
    click.option("--resume", metavar="REPORT.json", type=click.Path(dir_okay=False, exists=True),
                 help="Skip the projects a previous run (its --report JSON) finished."),
    click.option("--shard", metavar="K/N",
                 help="Take part K of N of the project list (deterministic; CI matrices)."),
    click.option("--git-branch", metavar="NAME",
                 help="Commit each repository's migration on a new branch NAME."),
    click.option("--git-push", metavar="REMOTE", help="Push the --git-branch branch to REMOTE."),
    click.option("--engine", "engines", multiple=True, metavar="ENGINE",
                 help="Spread --verify over engines: a DOCKER_HOST URL, a docker context, or "
                      "builder:NAME (a buildx builder). Repeatable."),
)


def _fleet(values: dict[str, Any], mode: str, verify: bool) -> FleetOptions:
    from migrator.fleet.options import FleetOptions, OptionError

    try:
        return FleetOptions.build(mode=mode, verify=verify, **values)
    except OptionError as exc:
        raise click.UsageError(str(exc)) from None


def _write_reports(report: Report, opts: FleetOptions) -> None:
    from migrator.fleet.options import write_report

    for path in opts.reports:
        try:
            write_report(path, report)
        except OSError as exc:
            _err(f"{path}: cannot write the report: {exc}")


def _err(line: str) -> None:
    click.echo(line, err=True)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(file_okay=False, exists=True))
@common_options
@verify_options
@fleet_options
@click.version_option(package_name=None, version=None, message="migrator %(version)s",
                      prog_name="migrate")
def main(paths: tuple[str, ...], dry_run: bool, check: bool, as_json: bool, explain: bool,
         keep_legacy: bool, buildkit: bool, entry: str | None, make_target: str | None,
         overrides: tuple[tuple[str, str], ...], jobs: int | None,
         verify: bool,
         builder: str | None, docker_binary: str, timeout: float, mtimes: bool,
         **fleet: Any) -> None:
    """Turn builder-pattern projects (Dockerfile.build + Dockerfile + build script) into one
    multi-stage Dockerfile. PATH is a project directory; give several for a batch, or a tree
    with --recursive."""
    if dry_run and check:
        raise click.UsageError("--dry-run and --check exclude each other")
    if entry and make_target:
        raise click.UsageError("--entry and --make-target exclude each other")
    settings = Settings(keep_legacy=keep_legacy, buildkit=buildkit or builder == "buildkit",
                        builder=builder,
                        entry=entry or (f"make {make_target}" if make_target else None),
                        overrides=overrides)
    mode = "dry-run" if dry_run else "check" if check else "write"
    opts = _fleet(fleet, mode, verify)
    verify_settings = None
    if verify:
        from migrator.verify.run import VerifySettings

        verify_settings = VerifySettings(docker_binary, builder, timeout, mtimes,
                                         overrides=overrides)
    report = _run(list(paths), settings, mode, verify_settings, jobs, opts,
                  progress=not (as_json or opts.quiet))
    _print(report, dry_run=dry_run, check=check, as_json=as_json, explain=explain,
           quiet=opts.quiet)
    _write_reports(report, opts)
    sys.exit(report.exit_code)


def _run(paths: list[str], settings: Settings, mode: str, verify_settings: Any,
         jobs: int | None, opts: FleetOptions, *, progress: bool) -> Report:
    from migrator.fleet import runner
    from migrator.fleet.console import ProgressBar
    from migrator.fleet.options import OptionError
    from migrator.fleet.work import Job, warm, write_entry

    report = Report(mode)
    job = Job(settings, mode, write_now=mode == "write" and verify_settings is None,
              keep_changes=verify_settings is not None)
    workers = jobs or os.cpu_count() or 1
    batch = workers > 1 and (opts.recursive or len(paths) > 1)
    try:  # with workers to fork: load the analysis for them while another process walks
        projects, report.carried = opts.projects(paths, meanwhile=warm if batch else None)
    except OptionError as exc:
        raise click.UsageError(str(exc)) from None
    refused, projects = opts.git_preflight(projects)
    bar = ProgressBar(len(projects), sys.stderr if progress and sys.stderr.isatty() else None)
    entries = [*refused, *runner.run_all(projects, job, min(workers, len(projects)), bar)]
    bar.close()
    if verify_settings is not None:
        _verify_all(entries, verify_settings, opts)
        for e in entries:
            if mode == "write" and e.verify_exit == 0:
                write_entry(e, e.changes)
    opts.git_commit(entries, verified=verify_settings is not None)
    for e in entries:
        report.add(e)
    return report


def _verify_all(entries: list[Entry], verify_settings: Any, opts: FleetOptions) -> None:
    todo = [e for e in entries if e.status is Status.MIGRATE and e.build is not None]
    if opts.engines:
        from migrator.fleet.engines import verify_on_engines

        verify_on_engines(todo, verify_settings, opts.engines, _err)
        return
    from migrator.verify.run import Interrupted

    for e in todo:
        try:
            _verify_one(e, verify_settings)
        except Interrupted as exc:
            _err(f"{e.project}: interrupted; everything verification made was removed")
            sys.exit(128 + exc.signum)


def _verify_one(entry: Entry, verify_settings: Any) -> None:
    from migrator.fleet.engines import apply_verification, verify_entry

    apply_verification(entry, verify_entry(entry, verify_settings))


def _print(report: Report, *, dry_run: bool, check: bool, as_json: bool, explain: bool,
           quiet: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    for e in report.entries:
        for p in e.problems:
            _err(problem_line(e.project, p))
        if e.status is Status.FAILED and not e.problems:
            _err(f"{e.project}: error: {e.reason}")
        if as_json:
            continue
        if e.why and not quiet:
            _err(f"{e.project}: {e.why}")
        if dry_run and e.diff:
            click.echo(e.diff, nl=False)
        if e.verification_text:
            click.echo(e.verification_text)
        if check:
            click.echo(report.check_line(e))
        if explain and e.status is Status.MIGRATE:
            click.echo(f"# {e.project}: {e.script}")
            if e.why:
                click.echo(f"#   {e.why}")
            for line in e.explain:
                click.echo(f"#   {line}")
    if quiet:
        return
    if len(report.entries) + len(report.carried) > 1:
        from migrator.fleet.console import table

        for line in table(report.entries, len(report.carried)):
            _err(line)
    _err(report.summary())


def run(argv: Iterable[str]) -> int:
    """Run the CLI in-process (tests); returns the exit code."""
    try:
        main.main(list(argv), prog_name="migrate", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    return EXIT_OK
