"""Which image build reads the files the flow left on the host: the final (runtime) build."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable, Collection, Mapping, Sequence

from migrator.infer.machine import image_ref
from migrator.infer.paths import reads_artifact
from migrator.model import Artifact, BuildOp, Dockerfile, DockerOp, Unsupported
from migrator.sources import copy_sources


def reads_any(op: BuildOp, df: Dockerfile, artifacts: Sequence[Artifact],
              files: Collection[str]) -> bool:
    """Some context-reading COPY/ADD of the build's Dockerfile reads an artifact."""
    return any(reads_artifact(s, a, files)
               for _, _ins, sources in copy_sources(df, op.context, op.staged)
               for s in sources for a in artifacts)


def runtime_builds(ops: Sequence[DockerOp], artifacts: Callable[[BuildOp], Sequence[Artifact]],
                   dockerfiles: Mapping[str, Dockerfile], builder_images: set[str],
                   files: Collection[str]) -> tuple[BuildOp | None, tuple[BuildOp, ...]]:
    """The final build, and every later build that reads the artifacts too: the same
    Dockerfile in the same context (the same image under another tag, as `make image` does for
    the default architecture), or another Dockerfile (a second image from the same outputs),
    which the plan gives the builder stages as well."""
    found: list[BuildOp] = []
    builders = {image_ref(b) for b in builder_images}
    for op in ops:
        if not isinstance(op, BuildOp) or any(image_ref(t.value) in builders for t in op.tags):
            continue
        df = dockerfiles.get(op.dockerfile)
        if df is not None and reads_any(op, df, artifacts(op), files):
            found.append(op)
    if not found:
        return None, ()
    first = found[0]
    for _ in found:  # an image built FROM the first (FROM that one...): the chain's last
        top = next((op for op in found if op is not first and _built_on(op, first, dockerfiles)),
                   None)
        if top is None:
            break
        first = top
    rest = [op for op in found if op is not first]
    other = next((op for op in rest if op.dockerfile == first.dockerfile and
                  (op.context, op.staged) != (first.context, first.staged)), None)
    if other is not None:
        raise Unsupported(other.cmd.loc, f"{other.dockerfile} is built again from another "
                                         f"context (also {first.cmd.loc}); not supported yet")
    return first, tuple(rest)


def _built_on(op: BuildOp, base: BuildOp, dockerfiles: Mapping[str, Dockerfile]) -> bool:
    """A stage of `op`'s Dockerfile is FROM an image `base` builds from the same context (two
    Dockerfiles of one directory: the plan joins them, see plan/products.py)."""
    df = dockerfiles.get(op.dockerfile)
    tags = {image_ref(t.value) for t in base.tags}
    return df is not None and op.dockerfile != base.dockerfile and \
        (op.context, op.staged) == (base.context, base.staged) and \
        not same_line(op, base) and any(image_ref(s.base) in tags for s in df.stages)


def same_line(a: BuildOp, b: BuildOp) -> bool:
    """Two builds by one line of text (a pattern rule's recipe, a loop): one edit serves both,
    so they cannot be told apart in the rewrite."""
    return a.cmd.file == b.cmd.file and a.cmd.span == b.cmd.span


def variants(build: BuildOp, files: Collection[str]) -> list[str]:
    """Other Dockerfiles the build's `-f` would name for another value of its variable
    (`-f Dockerfile.$(ARCH)`): only the chosen one is migrated."""
    word = build.dockerfile_word
    if word is None or "$" not in word.raw:
        return []
    pattern = re.sub(r"\$(\([^)]*\)|\{[^}]*\}|\w+)", "*", word.raw.strip("'\""))
    chosen = posixpath.basename(build.dockerfile)
    folder = posixpath.dirname(build.dockerfile)
    name = posixpath.basename(pattern)
    return sorted(f for f in files if posixpath.dirname(f) == folder and f != build.dockerfile
                  and fnmatch.fnmatchcase(posixpath.basename(f), name)
                  and posixpath.basename(f) != chosen
                  and (name.strip("*") or "dockerfile" in f.lower()))
