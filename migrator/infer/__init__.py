"""Infer the artifact flow of a legacy builder-pattern script.

Input: the operations the script runs, in order, and the project's files. Output: a `Flow` that
says which builds make builder images, what each extraction took out of which container and
where it landed on the host (with the commands that reproduce it inside a stage), which build
makes the final image, and which steps become dead once the build is multi-stage.

The operations run on a small abstract machine (`machine.Machine`: images, containers, the host
tree with provenance); each kind of operation has a handler of its own in `ops/`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from migrator.infer.finish import finish
from migrator.infer.flow import DIST, Flow, NoPattern, RunStage, Step, TestRun
from migrator.infer.machine import Machine
from migrator.infer.ops import apply
from migrator.infer.paths import covers, in_project, reads_artifact
from migrator.model import BuildOp, Command, Dockerfile, DockerOp

_covers = covers  # the planner's name for it

__all__ = ["DIST", "Flow", "NoPattern", "RunStage", "Step", "TestRun", "_covers", "covers",
           "in_project", "infer", "reads_artifact"]


def infer(
    ops: Sequence[DockerOp],
    dockerfiles: Mapping[str, Dockerfile],
    files: Collection[str],
    dirs: Collection[str],
    staging: Sequence[Command] = (),
    temps: Collection[str] = (),
) -> Flow | NoPattern:
    """`files`/`dirs`: project-relative paths that exist before the script runs."""
    m = Machine(dockerfiles, files, dirs, temps)
    first = len(ops)
    for index, op in enumerate(ops):
        if m.artifacts and first == len(ops):
            first = index
        apply(m, op)
        if m.artifacts and first == len(ops) and isinstance(op, BuildOp):
            first = index  # its context was a container's tar stream (`docker run B | build -`)
    return finish(m, ops, first, staging)
