"""Run the static work of many projects in parallel worker processes.

One pool per run. Work goes out in chunks of project paths (a path is all a worker is sent; the
`Job` goes to each worker once, at start-up) and comes back as small `Entry` values, handed out
on demand so that a slow project does not hold up a whole fixed share. A worker that dies (a
crash in C code, the OOM killer) breaks the pool: the unfinished projects are then retried one
per task, and, if the pool breaks again, each in a pool of its own, so that only the project
that kills its worker is reported as crashed.

The parent loads the analysis (`work.warm`) before it forks, so the workers share it instead of
each loading its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from migrator.fleet.work import Job, examine, warm
from migrator.pipeline import Status
from migrator.problems import error
from migrator.report import Entry

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

Progress = Callable[[int], None]

_job: Job | None = None


def _init(job: Job) -> None:
    global _job
    _job = job


def _chunk(paths: list[str]) -> list[Entry]:
    assert _job is not None
    return [examine(p, _job) for p in paths]


def chunks(paths: list[str], jobs: int) -> list[list[str]]:
    """Each chunk an eighth of a worker's share of what is left, at most 32 projects: few round
    trips while much is left, single projects at the end, so that no worker idles long while
    another finishes its last chunk."""
    out = []
    at = 0
    while at < len(paths):
        size = max(1, min(32, (len(paths) - at) // (jobs * 8)))
        out.append(paths[at:at + size])
        at += size
    return out


def run_all(paths: list[str], job: Job, jobs: int, progress: Progress) -> list[Entry]:
    """Every project's entry, in the order of `paths`."""
    if len(paths) > 1:
        warm()
    if jobs <= 1 or len(paths) <= 1:
        return _in_process(paths, job, progress)
    done: dict[str, Entry] = {}
    pending = chunks(paths, jobs)
    for _ in range(2):  # chunks, then one project per task
        pending = _pool_round(pending, job, jobs, progress, done)
        if not pending:
            break
        pending = [[p] for c in pending for p in c]  # one project per task from now on
    for task in pending:  # broke the pool twice: each alone, to find the one that crashes
        left = _pool_round([task], job, 1, progress, done)
        for p in (p for c in left for p in c):
            done[p] = Entry(p, Status.FAILED, "crashed", crashed=True, problems=(error(
                None, "migrator's worker process died on this project (this is a bug)"),))
            progress(1)
    return [done[p] for p in paths]


def _in_process(paths: list[str], job: Job, progress: Progress) -> list[Entry]:
    out = []
    for p in paths:
        out.append(examine(p, job))
        progress(1)
    return out


def _pool(job: Job, jobs: int) -> ProcessPoolExecutor:
    import multiprocessing  # here: a run of one project never pays for these imports
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")  # workers share the parent's imports
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=_init, initargs=(job,))


def _pool_round(tasks: list[list[str]], job: Job, jobs: int, progress: Progress,
                done: dict[str, Entry]) -> list[list[str]]:
    """Run `tasks`; return those that did not finish because the pool broke."""
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    left = {i: t for i, t in enumerate(tasks)}
    try:
        with _pool(job, min(jobs, len(tasks))) as running:
            futures = {running.submit(_chunk, t): i for i, t in left.items()}
            for future in as_completed(futures):
                for entry in future.result():
                    done[entry.project] = entry
                progress(len(left.pop(futures[future])))
    except BrokenProcessPool:
        pass
    return list(left.values())
