"""One project through the pipeline: discover -> read -> interpret -> infer -> plan.

`analyze` is the single boundary where `Unsupported` becomes a failed `Outcome`; it writes
nothing and prints nothing, so many projects can run it in parallel processes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING

from migrator.discover import Project, discover, read_text
from migrator.problems import Loc, Problem, Severity, Unsupported, error
from migrator.settings import Settings

if TYPE_CHECKING:  # the readers and planning modules load only when a project needs them
    from collections.abc import Sequence

    from migrator.entries import Entry, Failure
    from migrator.infer import Flow
    from migrator.model import BuildOp, Command, Dockerfile, Script
    from migrator.plan import Plan
    from migrator.readers.context import ReaderContext
    from migrator.templated import Template


class Status(Enum):
    MIGRATE = "migrate"  # a migration is planned
    NOTHING = "nothing"  # no builder pattern (or already migrated)
    FAILED = "failed"  # bad or unsupported input


@dataclass(frozen=True)
class Outcome:
    project: str
    status: Status
    reason: str = ""
    plan: Plan | None = None
    problems: tuple[Problem, ...] = ()
    script: str | None = None  # for people: "build.sh", "Makefile (make build)"
    flow: Flow | None = field(default=None, compare=False)
    entry: tuple[str, str, str | None] | None = None  # (script path, "shell"|"make", target)
    why: str = ""  # why this entry point was chosen (or, refused, which were read)
    left: tuple[str, ...] = field(default=(), compare=False)  # other flows' entries, not migrated

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)


def analyze(root: str, settings: Settings) -> Outcome:
    try:
        project, texts = discover(root)
        if not project.extracts and not settings.entry:
            return Outcome(root, Status.NOTHING, "no build script takes files out of a container")
        outcome = _analyze(root, project, texts, settings)
    except Unsupported as exc:
        return Outcome(root, Status.FAILED, "cannot migrate", problems=(exc.problem,))
    if not outcome.left or settings.entry:
        return outcome
    from migrator.rounds import fixpoint

    return fixpoint(project, outcome, lambda copy: _next_round(copy, settings))


def _next_round(root: str, settings: Settings) -> Outcome:
    """A later round of `rounds.fixpoint`: the copy that has the earlier rounds' changes."""
    try:
        project, texts = discover(root)
        return _analyze(root, project, texts, settings, later=True)
    except Unsupported as exc:
        return Outcome(root, Status.FAILED, "cannot migrate", problems=(exc.problem,))


class _Dockerfiles:
    """Each Dockerfile a build names, read once."""

    def __init__(self, root: str, project: Project) -> None:
        self.root, self.project = root, project
        self.read: dict[str, Dockerfile] = {}
        self.generated: dict[str, Template] = {}  # a Dockerfile the script makes from a template

    def get(self, path: str, commands: Sequence[Command] = ()) -> Dockerfile | None:
        if path not in self.read:
            from migrator.readers.dockerfile import read_dockerfile
            from migrator.templated import template_of

            made = template_of(path, commands, self.project.files)
            if path not in self.project.files and made is None:
                return None
            text = read_text(self.root, made.path if made else path)
            if made:
                self.generated[path], text = made, made.apply(text)
            self.read[path] = read_dockerfile(path, text.encode("utf-8"))
        return self.read[path]


def _flow(script: Script, dfs: _Dockerfiles, project: Project) -> Flow | str:
    """The builder-pattern flow of one entry point, or why it has none."""
    from migrator.infer import NoPattern, infer
    from migrator.interpret import interpret
    from migrator.model import BuildOp
    from migrator.readers.container_script import drop_incidental_sockets
    from migrator.staging import resolve as resolve_staging

    ops, staging, temps = resolve_staging([op for op in map(interpret, script.commands)
                                           if op is not None])
    ops = drop_incidental_sockets(ops, project.files, lambda rel: read_text(dfs.root, rel))
    for op in ops:
        if isinstance(op, BuildOp) and dfs.get(op.dockerfile, script.commands) is None:
            raise Unsupported(op.cmd.loc, _no_dockerfile(op))
    flow = infer(ops, dfs.read, project.files, project.dirs, staging, temps)
    if isinstance(flow, NoPattern):
        _compose_runs(script, project, lambda rel: read_text(dfs.root, rel))
        return flow.reason
    return flow


def _compose_runs(script: Script, project: Project, read: Callable[[str], str | None]) -> None:
    """A `docker compose run` whose service bind-mounts the project may write build outputs
    there; compose services are not translated, so when nothing else of the entry point takes
    files out of a container it is refused at its line, never "nothing to migrate"."""
    from migrator.interpret import project_rel
    from migrator.readers.compose import writes_project

    for cmd in script.commands:
        if writes_project(cmd, project.files, read, project_rel(cmd.cwd) or "."):
            raise Unsupported(cmd.loc, "`docker compose run` of a service that mounts the "
                                       "project may write build outputs into it; compose "
                                       "services are not translated, so this build is not "
                                       "migrated")


def _analyze(root: str, project: Project, texts: dict[str, str], settings: Settings,
             later: bool = False) -> Outcome:
    """`later`: a later round of this run, whose multi-stage Dockerfiles are its own doing."""
    from migrator import entries as ep
    from migrator.readers.context import ReaderContext

    ctx = ReaderContext(project.root, project.files, lambda rel: read_text(root, rel),
                        settings.overrides, texts)
    dfs = _Dockerfiles(root, project)
    if settings.entry:
        found, failures = [ep.given_entry(settings.entry, project, ctx)], list[ep.Failure]()
    else:
        found, failures = ep.read_all(project, texts, settings, ctx)
    flows: list[tuple[Entry, Flow]] = []
    empty: list[tuple[Entry, str]] = []
    broken: list[tuple[Entry, Problem]] = []  # read, but their flow cannot be migrated
    for e in found:
        try:
            flow = _flow(e.script, dfs, project)
        except Unsupported as exc:
            if settings.entry:
                raise
            failures.append(ep.Failure(e.label, exc.problem))
            broken.append((e, exc.problem))
            continue
        if isinstance(flow, str):
            empty.append((e, flow))
        else:
            flows.append((e, flow))
    if not flows:
        named = ep.ci_runs(found, ctx)
        primary = {e.label for e in found if e.default_goal or ep.ci_loc(e, named)}
        outcome = _no_flow(root, project, empty, failures, settings, primary)
        staged = next((e for e, _ in empty if _multistage(e.script, dfs)), None)
        if staged is None or later or outcome.status is not Status.FAILED:
            return outcome
        # Already multi-stage: what still copies out of a container is said, not refused.
        left = "; ".join(f"{p.loc}: {p.message}" for p in outcome.problems)
        return Outcome(root, Status.NOTHING, f"{staged.label} already builds from a build "
                       f"stage; left as they are: {left}", why=f"entry point {staged.label}")
    named = ep.ci_runs(found, ctx)
    migrated = None if later else _already(root, flows, empty, named, dfs)
    if migrated is not None:
        return migrated
    entry, flow, why = ep.choose(flows, named)
    if settings.entry:
        why = "given with --entry"
    bigger = _bigger_build(entry, flow, broken, project, named)
    if bigger is not None:
        big, problem = bigger
        return Outcome(root, Status.FAILED, "cannot migrate", problems=(problem,),
                       why=f"entry point {big.label}: it runs the build ({entry.label} is only "
                           "part of it), and that cannot be migrated")
    try:
        done = _planned(root, project, entry, flow, why, dfs, ctx, settings)
        return replace(done, left=ep.left_out(flows, entry, flow)) if done.plan else done
    except Unsupported as exc:
        return Outcome(root, Status.FAILED, "cannot migrate", problems=(exc.problem,),
                       why=f"entry point {entry.label}: {why}")


def _already(root: str, flows: list[tuple[Entry, Flow]], empty: list[tuple[Entry, str]],
             named: dict[tuple[str, str | None], Loc], dfs: _Dockerfiles) -> Outcome | None:
    """Already migrated: the build CI runs builds from a build stage of its Dockerfile, or one
    does and what is left only exports or tests (the other builds that copy out of containers
    are named; --entry migrates one)."""
    from migrator import entries as ep

    left_export = all(getattr(f, "runtime", None) is None for _, f in flows)
    ci_flow = any(ep.ci_loc(e, named) for e, _ in flows)
    done = [e for e, _ in empty if (left_export or (ep.ci_loc(e, named) and not ci_flow))
            and _multistage(e.script, dfs)]
    if not done:
        return None
    others = ", ".join(e.label for e, _ in flows)
    return Outcome(root, Status.NOTHING, f"{done[0].label} already builds a multi-stage "
                   f"Dockerfile; other builds copy files out of containers: {others} "
                   "(--entry migrates one)", why=f"entry point {done[0].label}")


def _bigger_build(entry: Entry, flow: Flow, broken: list[tuple[Entry, Problem]],
                  project: Project, named: dict[tuple[str, str | None], Loc]
                  ) -> tuple[Entry, Problem] | None:
    """A build that cannot be migrated and outranks the chosen one: what CI or a bare `make`
    runs and that contains the chosen flow, or, when the chosen flow only exports, one that
    builds an image from files it takes out of a container. Migrating the part would leave
    the build the user runs unmigrated, so it is refused instead."""
    from migrator import entries as ep
    from migrator.interpret import interpret
    from migrator.model import BuildOp

    facts = ep.flow_lines(flow)
    extracts = set(project.extracts)
    for big, problem in broken:
        if big.script.kind in ("ci", "docs"):
            continue
        lines = {c.loc for c in big.script.commands}
        if (big.default_goal or ep.ci_loc(big, named)) and facts <= lines and big is not entry:
            return big, problem
        if getattr(flow, "runtime", None) is None and lines & extracts and any(
                isinstance(interpret(c), BuildOp) for c in big.script.commands):
            return big, problem
    return None


def _multistage(script: Script, dfs: _Dockerfiles) -> bool:
    """The entry builds a Dockerfile that copies from a build stage of its own (a stage that
    RUNs something), as a migrated builder pattern does; `FROM docker AS docker` + `COPY
    --from=docker` only names an image."""
    from migrator.interpret import interpret
    from migrator.model import BuildOp

    for op in map(interpret, script.commands):
        df = dfs.get(op.dockerfile) if isinstance(op, BuildOp) else None
        if df is None:
            continue
        built = {ref for st in df.stages if any(i.keyword == "RUN" for i in st.body)
                 for ref in (st.name.lower() if st.name else None, str(st.index)) if ref}
        if any((i.flag("from") or "").lower() in built for st in df.stages for i in st.body):
            return True
    return False


def _planned(root: str, project: Project, entry: Entry, flow: Flow, why: str,
             dfs: _Dockerfiles, ctx: ReaderContext, settings: Settings) -> Outcome:
    from migrator.plan import plan

    script = entry.script
    ignores = {f: read_text(root, f) for f in project.files if f.endswith(".dockerignore")}
    # The other files the flow's commands came from (a script a Makefile runs, a sourced helper).
    others = {c.file: ctx.text(c.file) for c in script.commands
              if c.file and c.file != script.path}
    the_plan = plan(flow, script, dfs.read, project.files, settings, ignores, others,
                    lambda path: _text_or_none(ctx, path))
    if dfs.generated:
        from migrator.templated import into_templates

        the_plan = replace(the_plan, changes=into_templates(
            the_plan.changes, dfs.generated, lambda path: read_text(root, path)))
    # What reading assumed (`uname -m` read as x86_64, a variable read as unset) comes first.
    the_plan = replace(the_plan, explain=(*script.notes, *the_plan.explain))
    problems = (*script.problems, *the_plan.warnings)
    if not the_plan.changes:  # kept as it is on purpose (the warnings say why)
        return Outcome(root, Status.NOTHING, "kept as it is", None, problems,
                       why=f"entry point {entry.label}: {why}")
    label = script.path + (f" (make {script.target})" if script.target else "")
    return Outcome(root, Status.MIGRATE, "", the_plan, problems, label, flow,
                   (script.path, script.kind, script.target),
                   why=f"entry point {entry.label}: {why}")


def _text_or_none(ctx: ReaderContext, path: str) -> str | None:
    """A project file's text for a look at what it names; unreadable or huge files say None."""
    try:
        text = ctx.text(path)
    except Unsupported:
        return None
    return text if len(text) < 1 << 20 else None


def _no_flow(root: str, project: Project, empty: list[tuple[Entry, str]],
             failures: list[Failure], settings: Settings,
             primary: frozenset[str] | set[str] = frozenset()
             ) -> Outcome:
    """No entry point has a flow. Files that take something out of a container make this a
    refusal that says, per entry point, where reading stopped and why (what CI or a bare
    `make` runs first); otherwise nothing."""
    empty = sorted(empty, key=lambda x: x[0].label not in primary)
    problems = []
    extracts = set(project.extracts)
    # A script's own words before a CI file's that runs it.
    for e, reason in sorted(empty, key=lambda x: x[0].script.kind == "ci"):
        here = sorted(c.loc for c in e.script.commands if c.loc in extracts)
        if here:
            problems.append(error(here[0], f"{e.label}: takes files out of a container here, "
                                           f"but no migration follows: {reason}"))
    # Stops nearest the lines that take files out of a container first.
    touched = {loc.path for loc in extracts}
    problems.extend(f.problem for f in sorted(failures, key=lambda f: (
        f.label not in primary, f.problem.loc not in extracts,
        f.problem.loc is None or f.problem.loc.path not in touched)))
    if not problems and project.extracts and not settings.entry:
        reached = {c.loc for e, _ in empty for c in e.script.commands}
        missed = [loc for loc in project.extracts if loc not in reached]
        if missed and missed[0] in project.tool_outputs:
            problems.append(error(missed[0], _unread_tool(missed[0].path)))
        elif missed:
            problems.append(error(missed[0], "takes files out of a container, but no entry "
                                             "point that was read runs this line"))
    if problems:
        return Outcome(root, Status.FAILED, "cannot migrate", problems=tuple(_unique(problems)),
                       why=_read_labels(empty, failures))
    reasons = "; ".join(f"{e.label}: {r}" for e, r in empty)
    return Outcome(root, Status.NOTHING, reasons or "nothing to migrate")


def _unread_tool(path: str) -> str:
    from migrator.discover import is_jenkinsfile, is_justfile

    if is_justfile(path.rsplit("/", 1)[-1]):
        return ("this just recipe takes files out of a container; migrator does not read "
                "justfiles, so this build is not migrated (a script the recipe runs would be "
                "read)")
    if is_jenkinsfile(path.rsplit("/", 1)[-1]):
        return ("this Jenkins pipeline step takes files out of a container; migrator does not "
                "read Groovy pipelines, so this build is not migrated (a script the step runs "
                "would be read)")
    tool = path.rsplit(".", 1)[-1]  # Dockerfile.dapper: dapper
    return (f"{tool} copies this output out of its build container; migrator does not read "
            "the tool's code, so this build is not migrated")


def _read_labels(empty: list[tuple[Entry, str]], failures: list[Failure]) -> str:
    labels = sorted({e.label for e, _ in empty} | {f.label for f in failures})
    if not labels:
        return "no build script, Makefile or CI file of the project runs docker itself"
    shown = ", ".join(labels[:8]) + (f" and {len(labels) - 8} more" if len(labels) > 8 else "")
    return f"no entry point has a flow to migrate (read: {shown})"


def _unique(problems: list[Problem]) -> list[Problem]:
    """One message per line (several entry points often stop at the same one)."""
    seen: set[Loc | None] = set()
    out = []
    for p in problems:
        if p.loc is None or p.loc not in seen:
            seen.add(p.loc)
            out.append(p)
    return out


def _no_dockerfile(op: BuildOp) -> str:
    """Why a build's Dockerfile is not there: a value it depends on is unknown (name the
    `--set` that gives it), or the project has no such file."""
    import re

    names = list(dict.fromkeys(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", op.dockerfile)))
    if names:
        written = op.dockerfile_word.raw if op.dockerfile_word else op.dockerfile
        sets = " ".join(f"--set {n}=..." for n in names)
        return (f"{', '.join(names)} decide{'s' if len(names) == 1 else ''} the Dockerfile "
                f"({written}) and {'has' if len(names) == 1 else 'have'} no value; give {sets}")
    return f"{op.dockerfile}: no such Dockerfile in the project"
