"""Which image build reads the files the flow left on the host: the final (runtime) build."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from migrator.infer.paths import reads_artifact
from migrator.model import Artifact, BuildOp, Dockerfile, DockerOp, Unsupported
from migrator.sources import copy_sources


def reads_any(op: BuildOp, df: Dockerfile, artifacts: Sequence[Artifact],
              files: Collection[str]) -> bool:
    """Some context-reading COPY/ADD of the build's Dockerfile reads an artifact."""
    return any(reads_artifact(s, a, files)
               for _, _ins, sources in copy_sources(df, op.context, op.staged)
               for s in sources for a in artifacts)


def runtime_build(ops: Sequence[DockerOp], artifacts: Sequence[Artifact],
                  dockerfiles: Mapping[str, Dockerfile], builder_images: set[str],
                  files: Collection[str]) -> BuildOp | None:
    found: list[BuildOp] = []
    for op in ops:
        if not isinstance(op, BuildOp) or any(t.value in builder_images for t in op.tags):
            continue
        df = dockerfiles.get(op.dockerfile)
        if df is not None and reads_any(op, df, artifacts, files):
            found.append(op)
    if len(found) > 1:
        raise Unsupported(found[-1].cmd.loc, "more than one image build uses the extracted files "
                                             f"(also {found[0].cmd.loc}); not supported yet")
    return found[0] if found else None
