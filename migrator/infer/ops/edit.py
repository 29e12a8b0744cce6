"""Host steps that change artifacts in place: `find ./out -name '*.a' -delete` (or `-exec rm`),
`strip out/bin/*`. Replayed on the artifact in its stage; the host step is dead."""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import replace

from migrator.infer.machine import Machine, dist
from migrator.infer.paths import covers
from migrator.model import HostOp


def find(m: Machine, op: HostOp) -> None:
    paths: list[str] = []
    for arg in op.args:
        if arg.startswith(("-", "(", "!")):
            break
        paths.append(arg)
    rest = op.args[len(paths):]
    if not paths or not m.artifacts:
        return
    rel = [m.rel(posixpath.normpath(posixpath.join(op.cmd.cwd, p)), op.cmd.loc) for p in paths]
    touched = [i for i, a in enumerate(m.artifacts)
               if any(covers(p, a.host) or covers(a.host, p) for p in rel)]
    if not touched or not all(any(covers(p, m.artifacts[i].host) or
                                  covers(m.artifacts[i].host, p) for i in touched) for p in rel):
        return
    step = shlex.join(["find", *(dist(p) for p in rel), *rest])
    for i in touched:
        a = m.artifacts[i]
        m.artifacts[i] = replace(a, replay=(*a.replay, step), direct=False,
                                 edges=(*a.edges, op.cmd.loc))
    m.dead.append(op.cmd)
