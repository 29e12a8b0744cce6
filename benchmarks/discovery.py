"""Discovery time on a tree of 5,000 files with no builder pattern (issue 7).

The tree looks like a mid-sized service repository: Go and Python sources, docs, fixtures,
extensionless helper scripts with and without a `#!` line, shell scripts and Makefiles that never
call docker, a CI file, and a vendored folder that discovery skips. Two numbers: `discover()`
alone in-process (the scan, the `#!` sniffing and the reading of every build file), and the whole
`migrate --check` on the tree, cold, as a user or a hook runs it. Used by bench.py.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FILES = 5000

_GO = "package {pkg}\n\nfunc F{i}() int {{ return {i} }}\n"
_SH = "#!/bin/sh\nset -e\ngo test ./pkg{i}/...\necho done {i}\n"
_MAKE = "all: test\n\ntest:\n\tgo test ./...\n\nlint:\n\tgolangci-lint run ./pkg{i}/...\n"


def generate(root: Path, files: int = FILES) -> int:
    """A tree of `files` files without any docker call; returns how many were written."""
    written = 0

    def put(rel: str, text: str) -> None:
        nonlocal written
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        written += 1

    put(".travis.yml", "language: go\nscript:\n  - make test\n  - ./scripts/check\n")
    put("Makefile", _MAKE.format(i=0))
    i = 0
    while written < files:
        pkg = f"pkg{i // 40}"
        kind = i % 10
        if kind < 5:
            put(f"{pkg}/file{i}.go", _GO.format(pkg=pkg, i=i))
        elif kind == 5:
            put(f"docs/{pkg}/page{i}.md", f"# Page {i}\n\nSee `make test`.\n")
        elif kind == 6:
            put(f"scripts/tool{i}", _SH.format(i=i))  # extensionless, with `#!`
        elif kind == 7:
            put(f"testdata/{pkg}/fixture{i}", f"fixture {i}\n")  # extensionless, no `#!`
        elif kind == 8:
            put(f"vendor/example.com/lib{i}/lib.go", _GO.format(pkg="lib", i=i))
        else:
            put(f"{pkg}/sub{i}/Makefile" if i % 20 == 9 else f"hack/run{i}.sh",
                _MAKE.format(i=i) if i % 20 == 9 else _SH.format(i=i))
        i += 1
    return written


def bench(migrate: list[str], runs: int = 7) -> dict[str, Any]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="migrator-bench-discovery-") as tmp:
        root = Path(tmp) / "service"
        count = generate(root)
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        code = ("import sys, time; from migrator.discover import discover; "
                "t = time.perf_counter(); p, _ = discover(sys.argv[1]); "
                "print((time.perf_counter() - t) * 1000, len(p.build_files), len(p.candidates))")
        inproc: list[float] = []
        check: list[float] = []
        build_files = candidates = 0
        for _ in range(runs):
            out = subprocess.run([sys.executable, "-c", code, str(root)], env=env, check=True,
                                 capture_output=True, text=True).stdout.split()
            inproc.append(float(out[0]))
            build_files, candidates = int(out[1]), int(out[2])
            t = time.perf_counter()
            done = subprocess.run([*migrate, "--check", str(root)], env=env,
                                  capture_output=True, text=True)
            check.append((time.perf_counter() - t) * 1000)
            if done.returncode != 0:
                raise RuntimeError(f"migrate --check on the discovery tree exited "
                                   f"{done.returncode}: {done.stderr[-300:]}")
    return {"files": count, "build_files": build_files, "candidates": candidates, "runs": runs,
            "discover_ms": statistics.median(inproc), "discover_range_ms": [min(inproc),
                                                                            max(inproc)],
            "check_ms": statistics.median(check), "check_range_ms": [min(check), max(check)]}


def print_discovery(d: dict[str, Any]) -> None:
    print(f"\n== Discovery on a tree of {d['files']:,} files with no builder pattern "
          f"(median of {d['runs']} cold runs)\n")
    print(f"  discover() in-process: {d['discover_ms']:.1f} ms "
          f"(range {d['discover_range_ms'][0]:.1f}-{d['discover_range_ms'][1]:.1f}); "
          f"{d['build_files']} build files found and read, {d['candidates']} entry points "
          "(none parsed)")
    print(f"  migrate --check on it: {d['check_ms']:.0f} ms "
          f"(range {d['check_range_ms'][0]:.0f}-{d['check_range_ms'][1]:.0f})")
