"""An extraction-only flow: the artifacts only land on the host, no image is built from them.

The builder's Dockerfile gets an export stage (`FROM scratch AS export` + `COPY --from=...` of
each artifact, at its place relative to one output directory) and the builder build becomes
`docker build --target export --output type=local,dest=DIR`, a BuildKit feature; the container
steps that carried the files out are dead. Under `--builder classic` nothing changes: the
classic builder has no `--output`, so the legacy steps are the way to get the files.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection, Mapping, Sequence

from migrator import render
from migrator.infer import DIST, Flow
from migrator.model import (
    BuildOp,
    Command,
    Dockerfile,
    Problem,
    Script,
    Span,
    Unsupported,
    Word,
    warning,
)
from migrator.plan.build import rel_cwd
from migrator.plan.naming import Builder, name_builders, unique
from migrator.plan.result import FileChange, Plan
from migrator.plan.scripts import ScriptEdits, script_changes
from migrator.plan.text import rewrite_from, user_in
from migrator.settings import Settings
from migrator.splice import Edit, apply


def plan_export(flow: Flow, script: Script, dockerfiles: Mapping[str, Dockerfile],
                files: Collection[str], settings: Settings, texts: Mapping[str, str],
                read: Callable[[str], str | None]) -> Plan:
    warnings: list[Problem] = list(flow.warnings)
    loc = flow.artifacts[0].loc
    if settings.builder == "classic":
        warnings.append(warning(loc, "the build outputs only land on the host and the legacy "
                                     "steps stay: `docker build --output` needs BuildKit "
                                     "(--builder classic)"))
        return Plan((), (), tuple(warnings))
    if len(flow.builders) != 1 or flow.stock or flow.runs:
        from migrator.plan.export_file import plan_export_file

        return plan_export_file(flow, script, dockerfiles, files, settings, texts, read,
                                warnings)
    op = flow.builders[0]
    if op in flow.keep_builder_tags:
        raise Unsupported(op.cmd.loc, "the builder image's tag is used after the extraction; "
                                      "an export build (--output) would not make that image")
    bdf = dockerfiles[op.dockerfile]
    taken = {s.name.lower() for s in bdf.stages if s.name} | {s.base.lower() for s in bdf.stages}
    builder = name_builders(flow, dockerfiles, set(taken))[0]
    name = unique("export", taken)
    # One output directory holding every artifact at its place (commonpath(["."]) is "").
    dest_dir = posixpath.commonpath([posixpath.dirname(a.host) for a in flow.artifacts]) or "."
    new_text, explain = _export_dockerfile(flow, builder, bdf, name, dest_dir, taken)
    changes = [FileChange(bdf.path, bdf.text, new_text)]
    dest = posixpath.relpath(dest_dir, rel_cwd(op.cmd))
    dead = tuple(c for c in flow.dead if c is not op.cmd)
    mkdir = any(_makes_dir(c, dest_dir) for c in dead)
    build = tuple((op.cmd, e) for e in export_build_edits(op, name, dest, mkdir))
    changes.extend(script_changes(script, texts, ScriptEdits(dead, build)))
    explain.append(f"{op.cmd.loc}: builds stage {name} with --output type=local,dest={dest}")
    warnings.append(warning(op.cmd.loc, "the rewritten build uses `docker build --output`, "
                                        "which needs BuildKit (--builder classic keeps the "
                                        "legacy steps)"))
    return Plan(tuple(changes), tuple(explain), tuple(warnings))


def _makes_dir(cmd: Command, dest_dir: str) -> bool:
    """The legacy flow made the output directory (`mkdir -p dist`): the export build must too,
    since BuildKit's local exporter creates a missing destination with mode 0700, not 0755."""
    from migrator.interpret import project_rel
    from migrator.readers.words import host_path

    if cmd.name != "mkdir":
        return False
    made = {project_rel(host_path(w, cmd.cwd)) for w in cmd.words()[1:] if not w.startswith("-")}
    return dest_dir in made


def _export_dockerfile(flow: Flow, builder: Builder, bdf: Dockerfile, name: str, dest_dir: str,
                       taken: set[str]) -> tuple[str, list[str]]:
    """The builder's Dockerfile with the export stage (and a replay stage) after its own, and
    then its last stage again, so a plain build of the file still makes the image it made."""
    source, last = builder.stages[-1], bdf.stages[-1]
    edits: list[Edit] = []
    names: dict[int, str] = {}
    for st in dict.fromkeys([source, last]):
        if st.name is None:
            # Stages are built FROM it: it needs a name (`COPY --from=0` would do, `FROM 0` not).
            names[st.index] = unique("builder" if st is source else "image", taken)
            edits.append(Edit(st.from_.span, rewrite_from(st.from_, None, names[st.index])
                              + "\n"))
        else:
            names[st.index] = st.name
    blocks, explain = _stages(flow, builder, bdf, names[source.index], name, dest_dir, taken)
    blocks.append(render.final_again(names[last.index]))
    end = len(bdf.text)
    sep = "\n" if bdf.text.endswith("\n") or not bdf.text else "\n\n"
    edits.append(Edit(Span(end, end), sep + "\n\n".join(blocks) + "\n"))
    return apply(bdf.text, edits), explain


def _stages(flow: Flow, builder: Builder, bdf: Dockerfile, ref: str, name: str, dest_dir: str,
            taken: set[str]) -> tuple[list[str], list[str]]:
    """The stages to append (a replay stage if modes must change, then the export stage)."""
    blocks: list[str] = []
    explain: list[str] = []
    replays = [a for a in flow.artifacts if not a.direct]
    dist = ""
    if replays:
        dist = unique(f"{name}-dist", taken)
        commands = list(dict.fromkeys(step for a in replays for step in a.replay))
        blocks.append(render.dist_stage(ref, dist, user_in(builder.stages), commands,
                                        bdf.escape))
    copies = []
    for a in flow.artifacts:
        to = "/" + posixpath.relpath(a.host, dest_dir) if a.host != dest_dir else "/"
        to = "/" if to == "/." else to
        stage, src = (ref, a.src or "/") if a.direct else (dist, posixpath.join(DIST, a.host))
        copies.append(render.copy_from("COPY", stage, [], [src], to, False))
        explain.append(f"{a.loc}: {a.how} {a.builder}:{a.src or '(output)'} -> {a.host}: "
                       f"COPY --from={stage} {src} {to} in stage {name}")
    blocks.append(render.export_stage(str(builder.loc), name, copies))
    return blocks, explain


def export_build_edits(op: BuildOp, stage: str, dest: str, mkdir: bool = False) -> list[Edit]:
    """The builder build as the export build: BuildKit on, `--target` the export stage,
    `--output` to the host directory (made first, as the legacy flow made it, when `mkdir`), no
    tags (a local export makes no image)."""
    cmd = op.cmd
    words = cmd.argv
    build = next(i for i, w in enumerate(words) if w.value == "build")
    edits: list[Edit] = []
    if mkdir:
        edits.append(Edit(Span(cmd.span.start, cmd.span.start), f"mkdir -p {dest} && "))
    if not any(k == "DOCKER_BUILDKIT" for k, _ in cmd.env):
        edits.append(Edit(Span(words[0].span.start, words[0].span.start), "DOCKER_BUILDKIT=1 "))
    at = words[build].span.end
    output = f" --output type=local,dest={dest}"
    target = _option_words(cmd, ("--target",))
    if target:
        edits.append(Edit(target[0][-1].span, f"--target={stage}" if len(target[0]) == 1
                          else stage))
        edits.append(Edit(Span(at, at), output))
    else:
        edits.append(Edit(Span(at, at), f" --target {stage}{output}"))
    for found in _option_words(cmd, ("-t", "--tag")):
        before = words[words.index(found[0]) - 1]
        edits.append(Edit(Span(before.span.end, found[-1].span.end), ""))
    return edits


def _option_words(cmd: Command, names: Sequence[str]) -> list[tuple[Word, ...]]:
    """Each occurrence of an option: (its word,) when the value is attached, else (word, value)."""
    words = cmd.argv
    out: list[tuple[Word, ...]] = []
    for i, w in enumerate(words):
        if w.value in names and i + 1 < len(words):
            out.append((w, words[i + 1]))
        elif any(w.value.startswith(n + "=") for n in names) or (
                "-t" in names and w.value.startswith("-t") and len(w.value) > 2
                and not w.value.startswith("--")):
            out.append((w,))
    return out
