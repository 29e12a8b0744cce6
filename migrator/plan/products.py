"""An image the flow builds FROM another image it builds (`FROM example/agent`, both built by the
script, each from extracted files): the base image's migrated stages join the final Dockerfile,
its last stage named after the image, the FROM names that stage, and the base image is built
from the final Dockerfile with `--target`, under the same tags. One Dockerfile then holds the
whole chain, as the multi-stage guide's "a stage built on an earlier one".

The base image is planned first as a Dockerfile of its own (`_other_image`, with the final
build's context); its stages are then moved over: a stage the final Dockerfile already has with
the same text (the shared builder stages) goes in once, one with the same name and other text
is renamed, and the ARGs before its first FROM join those of the final Dockerfile.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from migrator.infer.machine import image_ref
from migrator.infer.runtime import same_line
from migrator.model import BuildOp, Command, Dockerfile, Span, Stage, Unsupported
from migrator.plan.naming import stage_name_for, unique
from migrator.plan.text import leading_comments_start
from migrator.splice import Edit, apply


def chained(also: Sequence[BuildOp], rt: BuildOp, rdf: Dockerfile) -> list[BuildOp]:
    """The other image builds, from the final build's context, whose tag a stage of the final
    Dockerfile is FROM (images of other directories keep Dockerfiles of their own)."""
    bases = {image_ref(s.base) for s in rdf.stages}
    return [op for op in also if op.dockerfile != rdf.path and op is not rt
            and (op.context, op.staged) == (rt.context, rt.staged) and not same_line(op, rt)
            and any(image_ref(t.value) in bases for t in op.tags)]


@dataclass(frozen=True)
class Joined:
    text: str  # the final Dockerfile with the base images' stages
    edits: tuple[tuple[Command, Edit], ...]  # the base images' builds, now --target builds
    explain: tuple[str, ...]


def join(rt: BuildOp, rdf_path: str, text: str,
         bases: Sequence[tuple[BuildOp, Dockerfile, list[tuple[Command, Edit]]]],
         cwd_of: dict[Command, str]) -> Joined:
    """`text` (the final Dockerfile, migrated) with each base image's migrated Dockerfile
    joined in before the stage that is FROM it; `bases`: (build, its migrated Dockerfile, the
    edits planned for its command)."""
    from migrator.readers.dockerfile import read_dockerfile

    edits: list[tuple[Command, Edit]] = []
    explain: list[str] = []
    for op, bdf, planned in bases:
        final = read_dockerfile(rdf_path, text.encode("utf-8"))
        if bdf.escape != final.escape or (bdf.syntax and bdf.syntax != final.syntax):
            raise Unsupported(op.cmd.loc, f"{final.path} is FROM the image this builds, but the "
                                          f"two Dockerfiles' parser directives differ")
        taken = {s.name.lower() for s in final.stages if s.name}
        last = bdf.stages[-1].name
        name = last if last and last.lower() not in taken else \
            unique(stage_name_for(op.tags[0].value), taken)
        text = _joined(final, bdf, op, name, taken)
        edits.extend(_target_build(op, name, rdf_path, planned, cwd_of[op.cmd]))
        edits.extend(_args_for(rt, op))
        explain.append(f"{op.cmd.loc}: {final.path} is FROM {op.tags[0].value}, which this "
                       f"builds: its stages join it (stage {name}), built with --target {name}")
    return Joined(text, tuple(edits), tuple(explain))


def _block(df: Dockerfile, st: Stage) -> str:
    return df.text[leading_comments_start(df.text, st.from_):st.end]


def _joined(final: Dockerfile, bdf: Dockerfile, op: BuildOp, name: str, taken: set[str]) -> str:
    have = {s.name.lower(): _block(final, s) for s in final.stages if s.name}
    last = bdf.stages[-1]
    renames: dict[str, str] = {last.name: name} if last.name and last.name != name else {}
    blocks = []
    for st in bdf.stages[:-1]:
        block = _renamed(_block(bdf, st), renames)
        if st.name and st.name.lower() in have:
            if have[st.name.lower()] == block:
                continue  # the same stage (a shared builder): one copy serves both
            renames[st.name] = unique(f"{st.name}-{name}", taken)
            block = _renamed(_block(bdf, st), renames)
        blocks.append(block)
    block = _renamed(_block(bdf, last), renames)
    if last.name is None:
        start = last.from_.span.start - leading_comments_start(bdf.text, last.from_)
        end = start + len(last.from_.text)
        block = f"{block[:start]}{block[start:end]} AS {name}{block[end:]}"
    blocks.append(block)
    users = [s for s in final.stages if image_ref(s.base) in {image_ref(t.value) for t in op.tags}]
    at = leading_comments_start(final.text, users[0].from_)
    header = "".join(i.text + "\n" for i in bdf.header
                     if i.text not in {h.text for h in final.header})
    out = [Edit(Span(at, at), "\n\n".join(b.rstrip("\n") for b in blocks) + "\n\n")]
    if header:
        first = leading_comments_start(final.text, final.stages[0].from_)
        out.insert(0, Edit(Span(first, first), header))
    for st in users:
        out.append(Edit(Span(st.from_.span.start, st.from_.span.start + len(st.from_.text)),
                        _from_stage(st.from_.text, st.base, name)))
    return apply(final.text, out)


def _renamed(block: str, renames: dict[str, str]) -> str:
    for old, new in renames.items():
        block = re.sub(rf"(--from=|^FROM\s+(?:--\S+\s+)*){re.escape(old)}(?=\s|$)",
                       rf"\g<1>{new}", block, flags=re.M | re.I)
        block = re.sub(rf"(\bAS\s+){re.escape(old)}(?=\s|$)", rf"\g<1>{new}", block,
                       flags=re.I)
    return block


def _from_stage(line: str, base: str, name: str) -> str:
    return re.sub(rf"(?<=\s){re.escape(base)}(?=\s|$)", name, line, count=1)


def _args_for(rt: BuildOp, op: BuildOp) -> list[tuple[Command, Edit]]:
    """The final build now builds the base image's stages too: it passes their build args."""
    have = {k for k, _ in rt.build_args}
    missing = dict.fromkeys(w.raw for k, w in op.build_args if k not in have)
    if not missing:
        return []
    at = next(w for w in rt.cmd.argv if w.value == "build").span.end
    return [(rt.cmd, Edit(Span(at, at), "".join(f" --build-arg {raw}" for raw in missing)))]


def _target_build(op: BuildOp, name: str, rdf_path: str, planned: list[tuple[Command, Edit]],
                  cwd: str) -> list[tuple[Command, Edit]]:
    """The base image's build: the edits planned for it, `--target NAME` and `-f` the final
    Dockerfile."""
    cmd = op.cmd
    build = next(w for w in cmd.argv if w.value == "build")
    dockerfile = posixpath.relpath(rdf_path, cwd)
    word = op.dockerfile_word if op.dockerfile_given else None
    out = [(c, e) for c, e in planned if word is None or e.span != word.span]
    at = build.span.end
    out.append((cmd, Edit(Span(at, at), f" --target {name}")))
    if word is not None:
        out.append((cmd, Edit(word.span, dockerfile)))
    else:
        out.append((cmd, Edit(Span(at, at), f" -f {dockerfile}")))
    return out
