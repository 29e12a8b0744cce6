"""Python build scripts: what they cost, and that projects without one do not pay for libcst.

1. `migrate --check` on a shell-driven project (the seed golden case) with
   PYTHONPROFILEIMPORTTIME=1: no `libcst` module may appear in the import list.
2. Reading a generated 500-line `build.py` (constants, helpers, loops, argparse, subprocess list
   and string forms, the Docker SDK): `read_python` timed in this process, median of `rounds`,
   against the 150 ms budget; libcst's own import is measured apart, in a fresh process, since
   it is paid once per process, not per file.

    python benchmarks/python_reader.py            # prints the figures
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHELL_PROJECT = REPO / "tests" / "cases" / "seed-literal" / "input"
BUDGET_MS = 150.0
LINES = 500

_HEAD = '''#!/usr/bin/env python3
"""Release images (generated for the benchmark)."""
import argparse
import io
import os
import subprocess
import tarfile

import docker

REGISTRY = os.environ.get("REGISTRY", "registry.example.org")
VERSION = os.environ.get("VERSION", "1.0.0")
'''

_BLOCK = '''

COMPONENT_{n} = "component-{n}"


def build_{n}(name=COMPONENT_{n}, dockerfile="Dockerfile.build"):
    """Build {n}'s toolchain and take its binary out."""
    tag = f"{{REGISTRY}}/{{name}}-builder:{{VERSION}}"
    subprocess.run(["docker", "build", "-t", tag, "-f", dockerfile, "."], check=True)
    cid = subprocess.check_output(["docker", "create", tag]).decode().strip()
    subprocess.run(["docker", "cp", f"{{cid}}:/out/{{name}}", os.path.join("dist", name)])
    os.system("docker rm -f %s" % cid)
    for suffix in ["a", "b"]:
        print("built", name, suffix)
'''

_TAIL = '''

def sdk_extract(client, image, path, dest):
    container = client.containers.create(image)
    stream, _ = container.get_archive(path)
    tarfile.open(fileobj=io.BytesIO(b"".join(stream))).extractall(dest)
    container.remove(force=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tag", default="app:latest")
    args = parser.parse_args()
    client = docker.from_env()
    sdk_extract(client, "sdk-builder", "/out/tool", "dist")
{calls}    subprocess.run(["docker", "build", "-t", args.tag, "."], check=True)


if __name__ == "__main__":
    main()
'''


def build_script(lines: int = LINES) -> str:
    """A Python build script of about `lines` lines."""
    blocks, n = [], 0
    while True:
        calls = "".join(f"    build_{i}()\n" for i in range(n))
        text = _HEAD + "".join(blocks) + _TAIL.format(calls=calls)
        if text.count("\n") >= lines:
            return text
        blocks.append(_BLOCK.format(n=n))
        n += 1


def libcst_imported(migrate: list[str], project: Path) -> list[str]:
    """The libcst modules `migrate --check PROJECT` imports."""
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    proc = subprocess.run([*migrate, "--check", str(project)], capture_output=True, text=True,
                          env=env, cwd=REPO)
    mods = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
            if line.startswith("import time:")]
    return [m for m in mods if m.split(".")[0] == "libcst"]


def _import_cost() -> float:
    """Milliseconds a fresh interpreter spends importing the reader (libcst with it)."""
    code = ("import time; t = time.perf_counter(); import migrator.readers.python; "
            "print((time.perf_counter() - t) * 1000)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)),
                                 check=True).stdout) for _ in range(5)]
    return statistics.median(runs)


def bench(migrate: list[str], rounds: int = 15) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    from migrator.readers.python import read_python

    text = build_script()
    scripts = read_python("build.py", text)
    times, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        read_python("build.py", text)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    with tempfile.TemporaryDirectory(prefix="migrator-bench-py-") as tmp:
        py_project = Path(tmp) / "py"
        (py_project).mkdir()
        (py_project / "build.py").write_text(text)
        for name in ("Dockerfile", "Dockerfile.build"):
            (py_project / name).write_text("FROM alpine:3.18\n")
        shell_libcst = libcst_imported(migrate, SHELL_PROJECT)
        python_libcst = libcst_imported(migrate, py_project)
    median = statistics.median(times)
    cpu_median = statistics.median(cpu)
    return {
        "lines": text.count("\n"),
        "commands": len(scripts[0].commands),
        "read_ms_median": round(median, 1),
        "read_ms_min": round(min(times), 1),
        # CPU time of this process: what the reading costs when other work shares the cores.
        "read_cpu_ms_median": round(cpu_median, 1),
        "load_average": round(os.getloadavg()[0], 1),
        "budget_ms": BUDGET_MS,
        "import_ms": round(_import_cost(), 1),
        "shell_project_imports_libcst": shell_libcst,
        "python_project_imports_libcst": bool(python_libcst),
        "pass": min(median, cpu_median) <= BUDGET_MS and not shell_libcst and bool(python_libcst),
    }


def print_python(r: dict[str, Any]) -> None:
    print("\nPython build scripts")
    print(f"  read a {r['lines']}-line build.py ({r['commands']} commands): "
          f"{r['read_ms_median']} ms median, {r['read_ms_min']} ms best, "
          f"{r['read_cpu_ms_median']} ms CPU (budget {r['budget_ms']:.0f} ms; load average "
          f"{r['load_average']}); libcst import once per process: {r['import_ms']} ms")
    shell = r["shell_project_imports_libcst"]
    print(f"  migrate --check on a shell project imports libcst: "
          f"{'NO' if not shell else 'YES: ' + ', '.join(shell[:3])}; on a Python project: "
          f"{'yes' if r['python_project_imports_libcst'] else 'NO'}"
          f"  [{'pass' if r['pass'] else 'FAIL'}]")


if __name__ == "__main__":
    from bench import migrate_command

    print_python(bench(migrate_command(False)[0]))
