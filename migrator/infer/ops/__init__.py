"""One handler per operation kind; each applies its operation to the `Machine`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from migrator.infer.machine import Machine
from migrator.infer.ops.build import build
from migrator.infer.ops.copy import cp
from migrator.infer.ops.exec import exec_
from migrator.infer.ops.export import export
from migrator.infer.ops.host import host
from migrator.infer.ops.image import image
from migrator.infer.ops.run import create, run
from migrator.model import (
    BuildOp,
    CpOp,
    CreateOp,
    DockerOp,
    ExecOp,
    ExportOp,
    HostOp,
    ImageOp,
    RemoveOp,
    RunOp,
)


def _remove(m: Machine, op: RemoveOp) -> None:
    """`docker rm`/`rmi`: whether it becomes dead is decided once the flow is known."""


HANDLERS: dict[type, Callable[[Machine, Any], None]] = {
    BuildOp: build,
    CreateOp: create,
    RunOp: run,
    ExecOp: exec_,
    CpOp: cp,
    HostOp: host,
    RemoveOp: _remove,
    ExportOp: export,
    ImageOp: image,
}


def apply(m: Machine, op: DockerOp) -> None:
    HANDLERS[type(op)](m, op)
