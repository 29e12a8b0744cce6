"""One project through the pipeline: discover -> read -> interpret -> infer -> plan.

`analyze` is the single boundary where `Unsupported` becomes a failed `Outcome`; it writes
nothing and prints nothing, so many projects can run it in parallel processes.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING

from migrator.discover import Project, discover, read_text
from migrator.model import PROJECT, Dockerfile, Problem, Script, Severity, Unsupported
from migrator.readers.context import MAKEFILE_NAMES, ReaderContext
from migrator.settings import Settings

if TYPE_CHECKING:  # the planning modules load only when a project needs them
    from migrator.infer import Flow
    from migrator.plan import Plan


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

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)


def _read_script(path: str, text: str, settings: Settings, ctx: ReaderContext) -> list[Script]:
    name = posixpath.basename(path)
    cwd = posixpath.join(PROJECT, posixpath.dirname(path)).rstrip("/")
    if name in ("GNUmakefile", "makefile", "Makefile"):
        from migrator.readers.make import parse_makefile, read_make

        mk = parse_makefile(path, text, settings.overrides, cwd)
        with ctx.entering(path, None):
            if settings.make_target:
                if mk.rule(settings.make_target) is None:
                    raise Unsupported(None, f"{path}: no target {settings.make_target!r}")
                return [read_make(mk, settings.make_target, ctx)]
            return [read_make(mk, r.targets[0], ctx) for r in mk.rules
                    if r.targets and r.targets[0] in mk.targets()
                    and any("docker" in mk.text[s.start : s.end] for _, s in r.lines)]
    from migrator.readers.shell import read_shell

    with ctx.entering(path, None):
        return [read_shell(path, text, ctx)]


def analyze(root: str, settings: Settings) -> Outcome:
    try:
        project, texts = discover(root)
        if not project.candidates:
            return Outcome(root, Status.NOTHING, "no build script takes files out of a container")
        return _analyze(root, project, texts, settings)
    except Unsupported as exc:
        return Outcome(root, Status.FAILED, "cannot migrate", problems=(exc.problem,))


def _analyze(root: str, project: Project, texts: dict[str, str], settings: Settings) -> Outcome:
    from migrator.infer import NoPattern, infer
    from migrator.interpret import interpret
    from migrator.model import BuildOp
    from migrator.plan import plan
    from migrator.readers.dockerfile import read_dockerfile
    from migrator.staging import resolve as resolve_staging

    dockerfiles: dict[str, Dockerfile] = {}

    def dockerfile(path: str) -> Dockerfile | None:
        if path not in dockerfiles:
            if path not in project.files:
                return None
            dockerfiles[path] = read_dockerfile(path, read_text(root, path).encode("utf-8"))
        return dockerfiles[path]

    best: tuple[tuple[bool, int], Script, Flow] | None = None
    reasons: list[str] = []
    ctx = ReaderContext(project.root, project.files, lambda rel: read_text(root, rel),
                        settings.overrides, texts)
    for candidate in project.candidates:
        for script in _read_script(candidate, texts[candidate], settings, ctx):
            ops, staging, temps = resolve_staging([op for op in map(interpret, script.commands)
                                            if op is not None])
            for op in ops:
                if isinstance(op, BuildOp) and dockerfile(op.dockerfile) is None:
                    raise Unsupported(op.cmd.loc, f"{op.dockerfile}: no such Dockerfile in the "
                                                  "project")
            flow = infer(ops, dockerfiles, project.files, project.dirs, staging, temps)
            if isinstance(flow, NoPattern):
                reasons.append(f"{script.path}{':' + script.target if script.target else ''}: "
                               f"{flow.reason}")
                continue
            # A flow that builds an image beats one that only exports (`make image` over the
            # `make extract` it depends on).
            score = (flow.runtime is not None, len(flow.dead))
            if best is None or score > best[0]:
                best = (score, script, flow)
    if best is None:
        return Outcome(root, Status.NOTHING, "; ".join(reasons) or "nothing to migrate")
    _, script, flow = best
    script = _focus(script, flow, ctx)
    ignores = {f: read_text(root, f) for f in project.files
               if f.endswith(".dockerignore")}
    # The other files the flow's commands came from (a script a Makefile runs, a sourced helper).
    others = {c.file: read_text(root, c.file) for c in script.commands
              if c.file and c.file != script.path}
    the_plan = plan(flow, script, dockerfiles, project.files, settings, ignores, others)
    problems = (*script.problems, *the_plan.warnings)
    if not the_plan.changes:  # kept as it is on purpose (the warnings say why)
        return Outcome(root, Status.NOTHING, "kept as it is", None, problems)
    return Outcome(root, Status.MIGRATE, "", the_plan, problems,
                   script.path + (f" (make {script.target})" if script.target else ""), flow,
                   (script.path, script.kind, script.target))


def _focus(script: Script, flow: Flow, ctx: ReaderContext) -> Script:
    """The script the rewrite edits: the file that holds the whole flow. An entry point that
    only runs that file (`cd gateway && ./build.sh`) keeps working unchanged."""
    steps = (*([flow.runtime.cmd] if flow.runtime else []), *flow.dead,
             *(b.cmd for b in flow.builders))
    files = sorted({c.file or script.path for c in steps})
    if files == [script.path]:
        return script
    if len(files) > 1:
        raise Unsupported(steps[0].loc, "the legacy flow spans " + ", ".join(files) +
                          "; rewriting a build across several files is not supported yet")
    path = files[0]
    kind = "make" if posixpath.basename(path) in MAKEFILE_NAMES else "shell"
    return replace(script, path=path, text=ctx.text(path), kind=kind,
                   commands=tuple(c for c in script.commands if c.file == path),
                   target=None, functions=())
