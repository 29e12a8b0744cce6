"""The project's entry points (a script, a Makefile goal, a CI file's steps), read with the
project files they run, and the choice of the one to migrate, with the reason for it.

Choice, in order: `--entry`; an entry whose builder-pattern flow contains the others' (a
top-level `build.sh` that runs `gateway/build.sh`); one that CI runs; among entries with the same
flow, the one whose own recipe builds the final image, then the Makefile's default goal, then the
smallest. A CI file's own steps are an entry only when no script or Makefile has a flow.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from migrator.discover import MAKEFILES, Project
from migrator.model import PROJECT, Command, Loc, Problem, Script, Span, Unsupported, Word
from migrator.readers.context import ReaderContext
from migrator.settings import Settings

# Directories whose scripts are run from the project root (`./hack/build.sh`), not from their own.
_ROOT_RUN_DIRS = {"scripts", "script", "hack", "ci", ".ci", "tools", "bin", "build", ".travis",
                  ".github", "dev", "utils"}


@dataclass(frozen=True)
class Entry:
    """One entry point as a user runs it, read into commands."""

    label: str  # "build.sh", "make container", "make -C sub image", ".travis.yml"
    script: Script
    default_goal: bool = False  # a bare `make` in its directory runs it
    own_lines: frozenset[Loc] = frozenset()  # lines of its own recipe (make) or file (shell)


@dataclass(frozen=True)
class Failure:
    label: str
    problem: Problem


def run_dir(path: str) -> str:
    """Where a script is run from when nothing runs it: its directory, or the root for the
    conventional script folders."""
    head = posixpath.dirname(path)
    if not head or set(head.split("/")) & _ROOT_RUN_DIRS:
        return PROJECT
    return f"{PROJECT}/{head}"


def read_all(project: Project, texts: dict[str, str], settings: Settings, ctx: ReaderContext
             ) -> tuple[list[Entry], list[Failure]]:
    """Every candidate entry point, read; those that cannot be read are failures, not fatal."""
    entries: list[Entry] = []
    failures: list[Failure] = []
    for path in project.candidates:
        for label, read in _readers(path, texts[path], project.kind(path), ctx):
            try:
                entries.append(read())
            except Unsupported as exc:
                failures.append(Failure(label, exc.problem))
            finally:
                ctx.clear()
    documented = [e for e in entries if e.script.kind == "docs"]
    if len(documented) > 1:
        entries.append(_documented_together(documented))
    return entries, failures


def _documented_together(docs: list[Entry]) -> Entry:
    """The build that several documents describe between them (the builder's Dockerfile says
    how to build and extract, the runtime's how to build the image): their commands in one
    sequence, the builder's documents first, each command once."""
    from dataclasses import replace

    from migrator.readers.docs import document_order

    docs = sorted(docs, key=lambda e: document_order(e.script.path))
    seen: set[tuple[str, ...]] = set()
    commands: list[Command] = []
    pipes = 0
    for e in docs:
        top = pipes
        for c in e.script.commands:
            if c.words() in seen:
                continue
            seen.add(c.words())
            if c.pipe is not None:
                pipe = (top + c.pipe[0], c.pipe[1])
                c = replace(c, pipe=pipe)
                pipes = max(pipes, pipe[0])
            commands.append(c)
    first = docs[0].script
    label = "the commands documented in " + ", ".join(e.script.path for e in docs)
    problems = tuple(p for e in docs for p in e.script.problems)
    return Entry(label, Script(first.path, first.text, "docs", tuple(commands), problems))


def _readers(path: str, text: str, kind: str, ctx: ReaderContext
             ) -> list[tuple[str, Callable[[], Entry]]]:
    if kind == "make":
        return _make_readers(path, text, ctx)
    if kind == "python":
        return _python_readers(path, text, ctx)
    if kind == "docs":
        from migrator.readers.docs import read_docs

        def docs() -> Entry:
            with ctx.entering(path, None):
                return Entry(f"the commands documented in {path}", read_docs(path, text, ctx))

        return [(path, docs)]
    if kind == "ci":
        from migrator.readers.ci import read_ci

        def ci() -> Entry:
            with ctx.entering(path, None):
                return Entry(path, read_ci(path, text, ctx))

        return [(path, ci)]
    from migrator.readers.shell import read_shell

    def shell() -> Entry:
        with ctx.entering(path, None):
            script = read_shell(path, text, ctx, cwd=run_dir(path))
        return Entry(path, script, own_lines=_lines(script, path))

    return [(path, shell)]


def _make_readers(path: str, text: str, ctx: ReaderContext
                  ) -> list[tuple[str, Callable[[], Entry]]]:
    from migrator.readers.make import parse_makefile, read_make

    head = posixpath.dirname(path)
    cwd = f"{PROJECT}/{head}" if head else PROJECT
    try:
        mk = parse_makefile(path, text, tuple(ctx.overrides.items()), cwd, ctx=ctx)
    except Unsupported as exc:
        problem = exc.problem

        def fail() -> Entry:
            raise Unsupported(problem.loc, problem.message)

        return [(f"make -f {path}", fail)]
    prefix = f"make -C {head} " if head else "make "
    out: list[tuple[str, Callable[[], Entry]]] = []
    for target in mk.targets():
        def read(t: str = target) -> Entry:
            with ctx.entering(path, None, (t,)):
                script = read_make(mk, t, ctx)
            rule = mk.rule(t)
            own = frozenset(Loc(path, mk.text.count("\n", 0, s.start) + 1)
                            for _, s in (rule.lines if rule else ()))
            return Entry(prefix + t, script, t == mk.default_goal, own)

        out.append((prefix + target, read))
    return out


def _python_readers(path: str, text: str, ctx: ReaderContext
                    ) -> list[tuple[str, Callable[[], Entry]]]:
    """`python3 build.py`, or one entry per invoke task / nox session of a tasks file."""
    from migrator.readers.python import project_modules, read_python

    try:
        scripts = read_python(path, text, project_modules(ctx.files), ctx.overrides)
    except Unsupported as exc:
        problem = exc.problem

        def fail() -> Entry:
            raise Unsupported(problem.loc, problem.message)

        return [(f"python3 {path}", fail)]
    entries = [Entry(_python_label(path, s.target), s, own_lines=_lines(s, path))
               for s in scripts]
    return [(e.label, lambda e=e: e) for e in entries]  # type: ignore[misc]


def _python_label(path: str, task: str | None) -> str:
    if task is None:
        return f"python3 {path}"
    return f"nox -s {task}" if posixpath.basename(path) == "noxfile.py" else f"invoke {task}"


def _lines(script: Script, path: str) -> frozenset[Loc]:
    return frozenset(c.loc for c in script.commands if c.file == path and not c.via)


def given_entry(entry: str, project: Project, ctx: ReaderContext) -> Entry:
    """`--entry 'make container'`, `--entry build.sh`, `--entry 'make -C sub image'`,
    `--entry 'cd docker && ./build.sh'` (as a CI step writes it: run from that directory)."""
    try:
        argv = shlex.split(entry)
    except ValueError as exc:
        raise Unsupported(None, f"--entry {entry!r}: {exc}") from None
    cwd = PROJECT
    while len(argv) > 3 and argv[0] == "cd" and argv[2] == "&&":
        cwd = posixpath.normpath(posixpath.join(cwd, argv[1]))
        argv = argv[3:]
    if not (cwd == PROJECT or cwd.startswith(PROJECT + "/")) or \
            project_rel_dir(cwd) not in project.dirs | {"."}:
        raise Unsupported(None, f"--entry {entry!r}: no directory {project_rel_dir(cwd)!r} in "
                                "the project")
    if argv and "/" not in argv[0] and argv[0] in project.files and argv[0] not in MAKEFILES \
            and cwd == PROJECT:
        argv[0] = "./" + argv[0]  # `--entry build.sh` means the project's build.sh
    loc = Loc("--entry", 1)
    words = tuple(Word(w, w, Span(0, 0)) for w in argv)
    cmd = Command(words, loc, Span(0, 0), Span(0, 0), cwd, file="--entry")
    call = ctx.call(cmd)
    if call is None:
        raise Unsupported(None, f"--entry {entry!r}: runs no script or Makefile of the project")
    if cwd == PROJECT and call.kind == "shell" and run_dir(call.path) != PROJECT:
        # `--entry docker/build.sh`: read as discovery reads it and --verify runs it, from its
        # own directory
        call = replace(call, cwd=run_dir(call.path))
    elif cwd != PROJECT and (call.kind != "shell" or run_dir(call.path) != cwd):
        # --verify runs a script from its own directory (the root for a scripts/ folder)
        raise Unsupported(None, f"--entry {entry!r}: `cd` is taken only to the directory "
                                f"{call.path} runs from ({project_rel_dir(run_dir(call.path))}"
                                "); for a Makefile give `make -C DIR TARGET`")
    text = ctx.text(call.path)
    if call.kind == "shell":
        from migrator.readers.shell import read_shell

        with ctx.entering(call.path, None, call.args):
            script = read_shell(call.path, text, ctx, call.cwd, call.args)
        return Entry(entry, script, own_lines=_lines(script, call.path))
    from migrator.readers.make import parse_makefile, read_make

    mk = parse_makefile(call.path, text, (*call.variables, *ctx.overrides.items()), call.cwd,
                        ctx=ctx)
    goal = call.targets[0] if call.targets else mk.default_goal
    if goal is None or mk.rule(goal) is None:
        raise Unsupported(None, f"--entry {entry!r}: {call.path} has no target {goal!r}")
    with ctx.entering(call.path, None, (goal,)):
        script = read_make(mk, goal, ctx)
    return Entry(entry, script, goal == mk.default_goal)


def project_rel_dir(path: str) -> str:
    return "." if path == PROJECT else path.removeprefix(PROJECT + "/")


# ---------------------------------------------------------------- the choice


def flow_lines(flow: Any) -> frozenset[Loc]:
    """The lines that make up a flow: its builds, extractions and final build."""
    out = {a.loc for a in flow.artifacts} | {b.cmd.loc for b in flow.builders}
    runtime = getattr(flow, "runtime", None)
    if runtime is not None:
        out.add(runtime.cmd.loc)
    return frozenset(out)


def ci_runs(entries: list[Entry], ctx: ReaderContext) -> dict[tuple[str, str | None], Loc]:
    """(file, make goal or None) of what each CI file's steps run, and the step's line."""
    named: dict[tuple[str, str | None], Loc] = {}
    for e in entries:
        if e.script.kind != "ci":
            continue
        for c in e.script.commands:
            call = ctx.call(c.via[0]) if c.via else None
            if call is not None:
                for goal in call.targets or (None,):
                    named.setdefault((call.path, goal), c.via[0].loc)
    return named


def ci_loc(e: Entry, named: dict[tuple[str, str | None], Loc]) -> Loc | None:
    """Where CI runs this entry point, if it does."""
    s = e.script
    return named.get((s.path, s.target)) or (named.get((s.path, None))
                                             if e.default_goal or s.kind == "shell" else None)


def choose(found: list[tuple[Entry, Any]], named: dict[tuple[str, str | None], Loc]
           ) -> tuple[Entry, Any, str]:
    """The entry to migrate and, for people, why it was chosen."""
    pool = [x for x in found if x[0].script.kind not in ("ci", "docs")] or found
    facts = {id(e): flow_lines(f) for e, f in pool}
    roots = [(e, f) for e, f in pool if not any(facts[id(e)] < facts[id(o)] for o, _ in pool)]

    def builds_final(e: Entry, f: Any) -> bool:
        runtime = getattr(f, "runtime", None)
        return runtime is not None and runtime.cmd.loc in e.own_lines

    def key(x: tuple[Entry, Any]) -> tuple[bool, bool, bool, int, int, bool, bool, int, str]:
        e, f = x
        # A flow that builds an image beats one that only exports; a goal a user types (`make
        # image`) beats a file target (`make dist/app-$(TAG).docker`); of two with the same
        # flow, the one that runs the other (`build.sh` running `cd api && ./build.sh`).
        return (getattr(f, "runtime", None) is None, ci_loc(e, named) is None, _file_goal(e),
                -len(facts[id(e)]), -_depth(e, facts[id(e)]), not builds_final(e, f),
                not e.default_goal, len(e.script.commands), e.label)

    entry, flow = min(roots, key=key)
    why = _why(entry, flow, pool, facts, ci_loc(entry, named), builds_final(entry, flow))
    return entry, flow, why


def left_out(found: list[tuple[Entry, Any]], entry: Entry, flow: Any) -> tuple[str, ...]:
    """The entries `choose` could have chosen whose flows `entry`'s does not contain: the other
    builds its migration leaves as they are."""
    pool = [x for x in found if x[0].script.kind not in ("ci", "docs")] or found
    mine = flow_lines(flow)
    return tuple(e.label for e, f in pool if e is not entry and not flow_lines(f) <= mine)


def left_clause(labels: list[str] | tuple[str, ...]) -> str:
    return "other builds not migrated: " + ", ".join(labels)


def _depth(e: Entry, facts: frozenset[Loc]) -> int:
    """How many project files deep the entry runs its flow (0: all in its own file)."""
    return max((len(c.via) for c in e.script.commands if c.loc in facts), default=0)


def _file_goal(e: Entry) -> bool:
    """A make goal that names a file (`dist/app.docker`), not a task (`image`)."""
    t = e.script.target or ""
    return e.script.kind == "make" and ("/" in t or "$" in t or "." in t)


def _why(entry: Entry, flow: Any, pool: list[tuple[Entry, Any]], facts: dict[int, frozenset[Loc]],
         ci: Loc | None, final: bool) -> str:
    inside = [e.label for e, _ in pool if facts[id(e)] < facts[id(entry)]]
    twins = [e for e, _ in pool if e is not entry and facts[id(e)] == facts[id(entry)]]
    same = [e.label for e in twins]
    runs_twin = any(_depth(entry, facts[id(entry)]) > _depth(e, facts[id(e)]) for e in twins)
    others = [e.label for e, _ in pool if e is not entry and e.label not in inside + same]
    reasons = []
    if len(pool) == 1:
        reasons.append("the only entry point with a builder pattern")
    if inside:
        reasons.append("its flow contains those of " + ", ".join(inside))
    if ci is not None:
        reasons.append(f"CI runs it ({ci})")
    if runs_twin:
        reasons.append("it runs the others with the same flow")
    if len(pool) > 1 and final:
        reasons.append("its own recipe builds the final image" if entry.script.kind == "make"
                       else "it builds the final image")
    if len(pool) > 1 and entry.default_goal:
        reasons.append("the Makefile's default goal")
    if same and not (final or entry.default_goal or inside or runs_twin):
        reasons.append("the smallest entry point with this flow")
    if same:
        reasons.append("also runs this flow: " + ", ".join(same))
    if others:
        reasons.append(left_clause(others))
    return "; ".join(reasons)
