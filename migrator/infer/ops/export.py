"""`docker export CID`: the container's whole filesystem as a tar stream (members relative:
`opt/app`, not `/opt/app`); the host `tar -x` that unpacks it selects the members."""

from __future__ import annotations

from migrator.infer.machine import Machine, TarStream
from migrator.model import ExportOp, Unsupported


def export(m: Machine, op: ExportOp) -> None:
    if op.container not in m.containers:
        raise Unsupported(op.cmd.loc, f"docker export of container {op.container!r}, which "
                                      "this script did not create")
    m.used.add(op.container)
    stream = TarStream(m.builder_key(op.container), "", "/", (), op.cmd)
    out = next((r for r in op.cmd.redirects if r.op == ">" and r.fd in (None, 1)
                and r.target is not None), None)
    if op.output is not None:
        m.tarballs[m.rel(op.output, op.cmd.loc)] = stream
    elif out is not None and out.target is not None:
        from migrator.readers.words import host_path

        m.tarballs[m.rel(host_path(out.target.value, op.cmd.cwd), op.cmd.loc)] = stream
    elif op.cmd.pipe is not None and op.cmd.pipe[1] == 0:
        m.streams[op.cmd.pipe[0]] = stream
    else:
        raise Unsupported(op.cmd.loc, "docker export to the terminal, not into a file or tar -x")
