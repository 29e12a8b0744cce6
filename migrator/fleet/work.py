"""One project's static work, as a worker process does it: analyse, diff, and (when nothing
has to be checked first) write. Returns a small `Entry`, never the plan or the flow.

`examine` is the boundary where a crash in one project becomes that project's failure, so that
it never stops the others.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

from migrator.pipeline import Outcome, Status, analyze
from migrator.problems import error
from migrator.report import Entry
from migrator.settings import Settings


@dataclass(frozen=True)
class Job:
    """What every project of a run gets done; sent to each worker once, not per project."""

    settings: Settings
    mode: str  # "write" | "dry-run" | "check"
    write_now: bool  # write in the worker (write mode, nothing to verify first)
    keep_changes: bool  # hand the planned changes back (--verify writes after verifying)


def warm() -> None:
    """Load what analysing any project uses (the modules, the bash grammar, the compiled
    templates) before the first project, then freeze it out of the garbage collector's sight: a
    worker does this while the parent still looks for projects, and no later collection walks
    (or, in a forked worker, copies) those objects. The Make and Python readers are left to the
    projects that need them."""
    import gc

    try:
        import dockerfile_parse  # noqa: F401  (imported inside read_dockerfile)

        from migrator import entries, infer, interpret, plan, staging, templated, write  # noqa
        from migrator.plan import edit_shell, shell_tidy  # noqa: F401
        from migrator.readers import container_script, dockerfile, shell  # noqa: F401
        from migrator.readers.shell_tree import parser
        from migrator.render import stage_from

        parser()
        stage_from("scratch", "warm")  # loads the compiled dockerfile.j2
    except Exception:  # a broken install: each project meets it and reports it as its own
        return
    gc.freeze()


def examine(root: str, job: Job) -> Entry:
    try:
        return _entry(analyze(root, job.settings), job)
    except Exception as exc:  # one project's bug must not stop the others
        where = traceback.extract_tb(exc.__traceback__)[-1]
        message = (f"migrator crashed: {type(exc).__name__}: {exc} "
                   f"(at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}; this is a bug)")
        return Entry(root, Status.FAILED, "crashed", problems=(error(None, message),),
                     crashed=True)


def _entry(outcome: Outcome, job: Job) -> Entry:
    entry = Entry(outcome.project, outcome.status, outcome.reason, outcome.script,
                  outcome.problems, why=outcome.why)
    if outcome.status is not Status.MIGRATE or outcome.plan is None:
        return entry
    from migrator import write

    changes = outcome.plan.changes
    entry.diff = write.unified_diff(outcome.project.rstrip("/"), changes)
    entry.explain = outcome.plan.explain
    entry.data = describe(outcome)
    if job.keep_changes:
        entry.changes = changes
        assert outcome.entry is not None and outcome.flow is not None
        path, kind, target = outcome.entry
        rt = outcome.flow.runtime
        entry.build = (path, kind, target, tuple(t.value for t in rt.tags) if rt else ())
    if job.write_now:
        write_entry(entry, changes)
    return entry


def write_entry(entry: Entry, changes: Any) -> None:
    from migrator import write

    try:
        write.write(entry.project, changes)
        entry.written = True
    except (OSError, write.WriteError) as exc:
        entry.fail("cannot write", error(None, str(exc)))


def describe(outcome: Outcome) -> dict[str, Any]:
    """The JSON of what moves where: the changed files, the artifacts, and the diagram."""
    assert outcome.plan is not None
    out: dict[str, Any] = {"changes": [
        {"path": c.path, "action": "delete" if c.new is None else
         ("create" if c.old is None else "modify")} for c in outcome.plan.changes]}
    flow = outcome.flow
    if flow is None:
        return out
    out["artifacts"] = [
        {"builder": a.builder, "source": a.src, "host": a.host, "how": a.how,
         "provenance": str(a.loc), "later_steps": [str(x) for x in a.edges],
         "replay": list(a.replay), "direct": a.direct}
        for a in flow.artifacts]
    out["diagram"] = _diagram(outcome)
    return out


def _diagram(outcome: Outcome) -> dict[str, Any]:
    """Stages (builders, stock toolchains, run stages, the final image) and artifact edges."""
    flow = outcome.flow
    assert flow is not None
    rt = flow.runtime
    final = (rt.tags[0].value if rt.tags else rt.dockerfile) if rt else "host (export)"
    stages: list[dict[str, str]] = []
    seen: set[str] = set()

    def stage(name: str, kind: str, where: str) -> None:
        if name not in seen:
            seen.add(name)
            stages.append({"name": name, "kind": kind, "where": where})

    for b in flow.builders:
        for t in b.tags or ():
            stage(t.value, "builder", b.dockerfile)
    for image, loc in flow.stock:
        stage(image, "stock", str(loc))
    for r in flow.runs:
        stage(r.key, "run", str(r.loc))
    for a in flow.artifacts:
        stage(a.builder, "builder", str(a.loc))
    stage(final, "final" if rt else "export", rt.dockerfile if rt else "")
    edges = [{"from": a.builder, "to": final, "source": a.src or "(output)", "host": a.host,
              "how": a.how, "provenance": str(a.loc)} for a in flow.artifacts]
    return {"stages": stages, "edges": edges}
