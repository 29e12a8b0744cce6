"""Run the static work of many projects in parallel worker processes.

One pool per run. Work goes out in chunks of project paths (a path is all a worker is sent; the
`Job` goes to each worker once, at start-up) and comes back as small `Entry` values, handed out
on demand so that a slow project does not hold up a whole fixed share. A worker that dies (a
crash in C code, the OOM killer) breaks the pool: the unfinished projects are then retried one
per task, and, if the pool breaks again, each in a pool of its own, so that only the project
that kills its worker is reported as crashed.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from migrator.fleet.work import Job, examine
from migrator.pipeline import Status
from migrator.problems import error
from migrator.report import Entry

Progress = Callable[[int], None]

_job: Job | None = None


def _init(job: Job) -> None:
    global _job
    _job = job


def _chunk(paths: list[str]) -> list[Entry]:
    assert _job is not None
    return [examine(p, _job) for p in paths]


def chunks(paths: list[str], jobs: int) -> list[list[str]]:
    """About 32 chunks per worker, at most 32 projects each: few round trips, and the last
    chunks small enough that no worker idles long while another finishes."""
    size = max(1, min(32, math.ceil(len(paths) / (jobs * 32))))
    return [paths[i:i + size] for i in range(0, len(paths), size)]


def run_all(paths: list[str], job: Job, jobs: int, progress: Progress) -> list[Entry]:
    """Every project's entry, in the order of `paths`."""
    if jobs <= 1 or len(paths) <= 1:
        out = []
        for p in paths:
            out.append(examine(p, job))
            progress(1)
        return out
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


def _pool_round(tasks: list[list[str]], job: Job, jobs: int, progress: Progress,
                done: dict[str, Entry]) -> list[list[str]]:
    """Run `tasks`; return those that did not finish because the pool broke."""
    import multiprocessing  # here: a run of one project never pays for these imports
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    left = {i: t for i, t in enumerate(tasks)}
    context = multiprocessing.get_context("fork")  # workers share the parent's imports
    try:
        with ProcessPoolExecutor(min(jobs, len(tasks)), mp_context=context,
                                 initializer=_init, initargs=(job,)) as pool:
            futures = {pool.submit(_chunk, t): i for i, t in left.items()}
            for future in as_completed(futures):
                for entry in future.result():
                    done[entry.project] = entry
                progress(len(left.pop(futures[future])))
    except BrokenProcessPool:
        pass
    return list(left.values())
