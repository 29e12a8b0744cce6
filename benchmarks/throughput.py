"""Static throughput: `migrate --check -r` over 1,000 generated legacy projects, --jobs 1 vs 2.

The projects are made from the samples (every flow style migrator handles: docker cp, run >
file, volumes, tar streams, Makefiles, run-time builds ...), each copy varied so that no two
are the same text: its own image names and tags, extra comment and echo lines in the script,
extra ENV/LABEL lines in the Dockerfiles. Used by bench.py; the generator is importable so a
test can check that the projects really are legacy ones.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"

GOAL_PER_S = 500.0  # projects per second with --jobs 2
GOAL_SCALING = 1.8  # --jobs 2 against --jobs 1


def _vary(project: Path, i: int, rng: random.Random) -> None:
    for f in sorted(project.rglob("*")):
        if not f.is_file():
            continue
        text = f.read_text(encoding="utf-8", errors="strict")
        if f.name.endswith(".sh") or f.name == "Makefile":
            extra = "".join(f"# step {i}.{k}: generated variant\n"
                            for k in range(rng.randint(0, 6)))
            lines = text.splitlines(keepends=True)
            at = 1 if lines and lines[0].startswith("#!") else 0
            text = "".join(lines[:at]) + extra + "".join(lines[at:])
        elif f.name.startswith("Dockerfile"):
            extra = "".join(f"LABEL org.example.variant{k}=\"{i}\"\n"
                            for k in range(rng.randint(0, 3)))
            lines = text.splitlines(keepends=True)
            at = next((n + 1 for n, line in enumerate(lines) if line.startswith("FROM")), 0)
            text = "".join(lines[:at]) + extra + "".join(lines[at:])
        f.write_text(text.replace("href-counter", f"href-counter-{i}"), encoding="utf-8")


def generate(root: Path, count: int, seed: int = 9) -> list[Path]:
    """`count` varied legacy projects under `root` (root/p0000 ...)."""
    rng = random.Random(seed)
    samples = sorted(p for p in SAMPLES.iterdir() if p.is_dir())
    out = []
    for i in range(count):
        dest = root / f"p{i:04d}"
        shutil.copytree(samples[i % len(samples)], dest, symlinks=True)
        _vary(dest, i, rng)
        out.append(dest)
    return out


def bench(migrate: list[str], root: Path, count: int, rounds: int) -> dict[str, Any]:
    # as the start-up runs: no PYTHON* settings of the caller (e.g. PYTHONDONTWRITEBYTECODE)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTHON") or k in ("PYTHONPATH", "PYTHONHASHSEED")}
    times: dict[str, list[float]] = {"1": [], "2": []}
    for r in range(rounds):
        for jobs in (("1", "2") if r % 2 == 0 else ("2", "1")):
            argv = [*migrate, "--check", "-q", "-r", "-j", jobs, str(root)]
            t0 = time.perf_counter()
            rc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=REPO, env=env).returncode
            times[jobs].append(time.perf_counter() - t0)
            if rc != 1:
                raise SystemExit(f"bench: {' '.join(argv)} exited {rc} (expected 1: changes)")
    j1, j2 = statistics.median(times["1"]), statistics.median(times["2"])
    # The ratio is taken pair by pair (the two runs of a round, back to back), then the median:
    # a drift of the machine's speed between rounds then cancels out instead of landing in
    # one of the two medians.
    scaling = statistics.median(a / b for a, b in zip(times["1"], times["2"], strict=True))
    return {
        "projects": count, "rounds": rounds, "jobs1_s": j1, "jobs2_s": j2,
        "jobs1_runs_s": times["1"], "jobs2_runs_s": times["2"],
        "jobs2_per_s": count / j2, "jobs1_per_s": count / j1, "scaling": scaling,
        "scaling_of_medians": j1 / j2,
        "goal_per_s": GOAL_PER_S, "goal_scaling": GOAL_SCALING,
        "pass": count / j2 >= GOAL_PER_S and scaling >= GOAL_SCALING,
    }


def print_throughput(t: dict[str, Any]) -> None:
    print(f"\n== Static throughput: migrate --check -r over {t['projects']} generated legacy "
          f"projects (median of {t['rounds']} runs each, whole command)\n")
    print(f"  --jobs 1: {t['jobs1_s']:.2f} s  {t['jobs1_per_s']:.0f} projects/s")
    print(f"  --jobs 2: {t['jobs2_s']:.2f} s  {t['jobs2_per_s']:.0f} projects/s  "
          f"(goal >= {t['goal_per_s']:.0f}) "
          f"{'PASS' if t['jobs2_per_s'] >= t['goal_per_s'] else 'FAIL'}")
    print(f"  --jobs 2 / --jobs 1: {t['scaling']:.2f}x, median of the {t['rounds']} rounds' "
          f"ratios (ratio of the medians {t['scaling_of_medians']:.2f}x)  "
          f"(goal >= {t['goal_scaling']:.1f}x) "
          f"{'PASS' if t['scaling'] >= t['goal_scaling'] else 'FAIL'}")
