"""Tests the legacy script ran in a builder container: a `FROM <builder> AS test` stage, and
`docker build --target test` where the script ran them."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from migrator import render
from migrator.infer import Flow, TestRun
from migrator.model import BuildOp, Command, Dockerfile
from migrator.plan.build import rel_cwd
from migrator.plan.naming import Builder, unique
from migrator.splice import Edit


@dataclass(frozen=True)
class TestStage:
    test: TestRun
    builder: Builder
    name: str


def name_tests(flow: Flow, builders: Sequence[Builder], taken: set[str]) -> list[TestStage]:
    out = []
    for t in flow.tests:
        b = next((x for x in builders if x.makes(t.builder)), None)
        if b is not None:
            out.append(TestStage(t, b, unique("test", taken)))
    return out


def test_blocks(tests: Sequence[TestStage]) -> list[str]:
    return [render.test_stage(str(t.test.cmd.loc), t.builder.name, t.name, t.test.line)
            for t in tests]


def test_edits(tests: Sequence[TestStage], rt: BuildOp, rdf: Dockerfile,
               new_ctx: str) -> list[tuple[Command, Edit]]:
    """Each `docker run ... <tests>` becomes the build of its test stage, with the final
    build's build args (the builder stages may use them)."""
    out = []
    for t in tests:
        cmd = t.test.cmd
        opts = [f"--build-arg {w.raw}" for _, w in rt.build_args]
        opts.append("-f " + posixpath.relpath(rdf.path, rel_cwd(cmd)))
        line = render.target_build(cmd.argv[0].raw, t.name, opts,
                                   posixpath.relpath(new_ctx, rel_cwd(cmd)))
        out.append((cmd, Edit(cmd.span, line)))
    return out
