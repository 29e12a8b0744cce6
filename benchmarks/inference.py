"""Inference speed: `infer()` alone (no reading, no planning) on every golden case.

Each case's inputs to `infer` are recorded once by running the pipeline's analysis on it (the
readers and the Dockerfile parser are not timed); then each recorded call is timed `rounds`
times in this process and the median kept. The figure the issue asks for is the case with the
most operations ("the largest golden case"), and the slowest case, against a 5 ms budget.

    python benchmarks/inference.py            # prints the table
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "tests" / "cases"
BUDGET_MS = 5.0


def _recorded(project: Path) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """The arguments of every `infer` call the analysis of `project` makes."""
    import migrator.infer as inf
    from migrator.pipeline import analyze
    from migrator.settings import Settings

    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    original = inf.infer

    def recording(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        calls.append((args, kwargs))  # only calls that infer a flow or say why there is none
        return result

    inf.infer = recording  # type: ignore[assignment]  # the pipeline imports it at call time
    try:
        analyze(str(project), Settings())
    finally:
        inf.infer = original  # type: ignore[assignment]
    return calls


def _input(case: Path) -> Path:
    source = case / "source"
    return REPO / source.read_text().strip() if source.exists() else case / "input"


def bench(rounds: int = 200) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    from migrator.infer import infer

    rows = []
    for case in sorted(p for p in CASES.iterdir() if p.is_dir()):
        calls = _recorded(_input(case))
        if not calls:
            continue
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            for args, kwargs in calls:
                infer(*args, **kwargs)
            times.append(time.perf_counter() - start)
        rows.append({"case": case.name, "calls": len(calls),
                     "ops": sum(len(args[0]) for args, _ in calls),
                     "median_ms": statistics.median(times) * 1000,
                     "max_ms": max(times) * 1000})
    largest = max(rows, key=lambda r: (r["ops"], r["median_ms"]))
    slowest = max(rows, key=lambda r: r["median_ms"])
    return {"rounds": rounds, "budget_ms": BUDGET_MS, "cases": rows, "largest": largest,
            "slowest": slowest, "pass": slowest["median_ms"] < BUDGET_MS}


def print_inference(rep: dict[str, Any]) -> None:
    lg, sl = rep["largest"], rep["slowest"]
    print(f"\n== Inference: infer() alone, median of {rep['rounds']} runs per golden case "
          f"({len(rep['cases'])} cases)\n")
    print(f"largest case {lg['case']} ({lg['ops']} operations, {lg['calls']} entry points): "
          f"{lg['median_ms']:.3f} ms (budget < {rep['budget_ms']:.0f} ms)")
    print(f"slowest case {sl['case']} ({sl['ops']} operations): {sl['median_ms']:.3f} ms "
          f"-> {'PASS' if rep['pass'] else 'FAIL'}")


if __name__ == "__main__":
    print_inference(bench())
