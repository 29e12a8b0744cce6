"""`docker exec NAME cmd` / `docker start NAME`: a step of a long-lived builder container."""

from __future__ import annotations

from migrator.infer.flow import Step
from migrator.infer.machine import Machine
from migrator.model import ExecOp


def exec_(m: Machine, op: ExecOp) -> None:
    steps = m.steps.get(op.container)
    if steps is None:
        return
    argv = op.args
    if op.start:
        ep, cmd = m.command(m.containers[op.container].image)
        argv = (*ep, *cmd)
    if argv and op.env:
        argv = ("env", *(f"{k}={v}" for k, v in op.env), *argv)
    if argv:
        steps.append(Step(argv, op.workdir))
    m.dead.append(op.cmd)
