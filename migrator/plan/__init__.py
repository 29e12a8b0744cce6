"""Plan the migration: the multi-stage Dockerfile and the build scripts' edits, as new texts.

The runtime Dockerfile is the base: the builder stages (spliced from the builder Dockerfiles),
any stage that puts outputs in the state the legacy flow left them, and `COPY --from` lines for
the extracted files are spliced into it; every other byte stays. The scripts keep every line that
is not a builder-pattern step; the final build gets what the builder build needed.

Modules: `naming` (a stage per builder), `copies` (which COPY reads what), `stages` (the builder
stages' text), `build` (the final build command), `scripts` (the script-edit layer: commands ->
spliced edits of each file, one editor per script kind).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace

from migrator import render
from migrator.infer import Flow
from migrator.interpret import STDIN
from migrator.model import (
    Artifact,
    BuildOp,
    Command,
    Dockerfile,
    Problem,
    Script,
    Span,
    Stage,
    Unsupported,
    warning,
)
from migrator.plan.build import final_build_edits, make_targets_kept, rel_cwd
from migrator.plan.copies import plan_copies
from migrator.plan.keep import kept_builders
from migrator.plan.naming import Builder, name_builders, named_as_from
from migrator.plan.products import chained, join
from migrator.plan.result import FileChange, Plan, merged, spread
from migrator.plan.scripts import ScriptEdits, removed_call_sites, script_changes
from migrator.plan.stages import (
    builder_blocks,
    ignored_by_context,
    runtime_reference_edits,
)
from migrator.plan.tests import name_tests, test_blocks, test_edits
from migrator.plan.text import copy_text, leading_comments_start, relative_source, user_in
from migrator.settings import Settings
from migrator.sources import copy_sources
from migrator.splice import Edit, apply

__all__ = ["FileChange", "Plan", "plan"]


def plan(
    flow: Flow,
    script: Script,
    dockerfiles: Mapping[str, Dockerfile],
    files: Collection[str],
    settings: Settings,
    ignores: Mapping[str, str] | None = None,
    texts: Mapping[str, str] | None = None,
    read: Callable[[str], str | None] | None = None,
) -> Plan:
    """`ignores`: the texts of the project's `.dockerignore` files, by path; `texts`: the texts
    of the script files other than `script` that the flow's commands came from; `read`: any
    other project file's text (None if unreadable), to find who else uses a builder file."""
    all_texts = {script.path: script.text, **(texts or {})}
    if flow.runtime is None:
        from migrator.plan.export import plan_export

        done = plan_export(flow, script, dockerfiles, files, settings, all_texts,
                           read or (lambda _path: None))
    else:
        done = _plan_image(flow, flow.runtime, script, dockerfiles, files, settings,
                           ignores or {}, all_texts, read or (lambda _path: None))
    changes = merged(done.changes)
    if script.kind == "docs":
        changes = spread(changes, {c.file or script.path for c in script.commands})
    return replace(done, changes=tuple(_line_endings(c) for c in changes))


def _reread(change: FileChange) -> Dockerfile:
    """A base image's migrated Dockerfile, read for its stages (`products.join`)."""
    from migrator.readers.dockerfile import read_dockerfile

    assert change.new is not None
    return read_dockerfile(change.path, change.new.encode("utf-8"))


def _line_endings(change: FileChange) -> FileChange:
    """A file written with CRLF line endings keeps them in the lines migrator writes into it."""
    old, new = change.old, change.new
    if not old or not new or old.count("\r\n") != old.count("\n"):
        return change
    return replace(change, new=new.replace("\r\n", "\n").replace("\n", "\r\n"))


def _plan_image(flow: Flow, rt: BuildOp, script: Script, dockerfiles: Mapping[str, Dockerfile],
                files: Collection[str], settings: Settings, ignores: Mapping[str, str],
                texts: Mapping[str, str], read: Callable[[str], str | None]) -> Plan:
    """A flow whose artifacts feed the final image build `rt`."""
    warnings: list[Problem] = list(flow.warnings)
    explain: list[str] = []
    rdf = dockerfiles[rt.dockerfile]
    bases = chained(flow.also, rt, rdf)
    new_ctx = _new_context(flow, rt, files, warnings, bases)
    # Stage names: the runtime's own, and every FROM base, are taken.
    taken = {s.name.lower() for s in rdf.stages if s.name} | {s.base.lower() for s in rdf.stages}
    builders = named_as_from(name_builders(flow, dockerfiles, taken), flow, rdf)
    tests = name_tests(flow, builders, taken)
    new_rdf = _dockerfile(flow, rt, rdf, builders, files, new_ctx, taken, settings, explain,
                          test_blocks(tests))
    warnings.extend(ignored_by_context(builders, new_ctx, ignores, files))
    changes = [FileChange(rdf.path, rdf.text, new_rdf)]

    sites = removed_call_sites(script, flow.dead)
    edits = final_build_edits(flow, rt, script, builders, rdf, new_ctx, sites, warnings)
    edits.extend(test_edits(tests, rt, rdf, new_ctx))
    joining: list[tuple[BuildOp, Dockerfile, list[tuple[Command, Edit]]]] = []
    for op in flow.also:
        if op.dockerfile == rdf.path:  # the same image under other tags: the same edits
            edits.extend((c, e) for c, e in final_build_edits(flow, op, script, builders, rdf,
                                                               new_ctx, sites, [])
                         if c is op.cmd)
        elif all(c.path != op.dockerfile for c in changes):
            change, more = _other_image(flow, op, script, dockerfiles, files, settings, sites,
                                        warnings, explain, new_ctx if op in bases else None)
            if op in bases and change.new is not None:
                joining.append((op, _reread(change), more))
            else:
                changes.append(change)
                edits.extend(more)
    if joining:
        joined = join(rt, rdf.path, new_rdf, joining, {op.cmd: rel_cwd(op.cmd) for op in bases})
        changes[0] = FileChange(rdf.path, rdf.text, joined.text)
        edits.extend(joined.edits)
        explain.extend(joined.explain)
    instead = make_targets_kept(script, builders, rdf, new_ctx)
    changes.extend(script_changes(script, texts, ScriptEdits(flow.dead, tuple(edits), instead)))
    if not settings.keep_legacy:
        changes.extend(_removed_builders(flow, rt, dockerfiles, rdf, changes, files, read,
                                         warnings, [op.dockerfile for op, _, _ in joining]))
    return Plan(tuple(changes), tuple(explain), tuple(warnings))


def _other_image(flow: Flow, op: BuildOp, script: Script, dockerfiles: Mapping[str, Dockerfile],
                 files: Collection[str], settings: Settings, sites: set[Command],
                 warnings: list[Problem], explain: list[str], context: str | None = None
                 ) -> tuple[FileChange, list[tuple[Command, Edit]]]:
    """Another image built from the same artifacts (a release and a debug image, one per
    Dockerfile): its Dockerfile gets the builder stages too, its command the same edits.
    `context`: the one it is planned for (a base image whose stages join the final build's)."""
    odf = dockerfiles[op.dockerfile]
    flow = replace(flow, artifacts=flow.artifacts_for(op))
    ctx = context or _new_context(flow, op, files, [])
    taken = {s.name.lower() for s in odf.stages if s.name} | {s.base.lower() for s in odf.stages}
    builders = name_builders(flow, dockerfiles, taken)
    new = _dockerfile(flow, op, odf, builders, files, ctx, taken, settings, explain)
    edits = [(c, e) for c, e in final_build_edits(flow, op, script, builders, odf, ctx, sites,
                                                   warnings) if c is op.cmd]
    return FileChange(odf.path, odf.text, new), edits


def _new_context(flow: Flow, runtime: BuildOp, files: Collection[str],
                 warnings: list[Problem], bases: Sequence[BuildOp] = ()) -> str:
    """The one context: the common directory of every build's (an assembled, staged context is
    replaced by the project it was assembled from); `bases`: images whose stages join in."""
    contexts = ["." if op.staged else op.context for op in [runtime, *bases]] + \
        [b.context for b in flow.builders]
    new_ctx = posixpath.commonpath([posixpath.join("/", c) for c in contexts]).lstrip("/") or "."
    for op in flow.builders:
        if op.context != new_ctx and any(f.endswith(".dockerignore") for f in files):
            warnings.append(warning(op.cmd.loc, f"the builder's context {op.context!r} becomes "
                                                f"part of context {new_ctx!r}: check "
                                                ".dockerignore"))
    return new_ctx


def _dockerfile(flow: Flow, runtime: BuildOp, rdf: Dockerfile, builders: Sequence[Builder],
                files: Collection[str], new_ctx: str, taken: set[str], settings: Settings,
                explain: list[str], tests: Sequence[str] = ()) -> str:
    """The runtime Dockerfile's new text: builder stages before its first stage, COPYs of
    extracted files taken from them."""
    by_image = {b.image: b for b in builders}
    for b in builders:
        for t in b.build.tags if b.build else ():
            by_image.setdefault(t.value, b)
    _unstaged(rdf, runtime, flow.artifacts_for(runtime))
    r_edits: list[Edit] = []
    via_dist: dict[str, list[Artifact]] = {}
    for ins, keep, moves in plan_copies(flow, runtime, rdf, files, by_image, via_dist):
        flags = [f for f in ins.flags if not f.startswith("--from=")]
        if keep and runtime.context != new_ctx:
            keep = [relative_source(k, runtime.context, new_ctx, runtime.staged) for k in keep]
        lines = [copy_text(ins, ins.flags, [*keep, ins.args[-1]])] if keep else []
        for m in moves:
            f = list(flags)
            owners_known = m.builder.runs_as_root and all(
                a.user is None for a in flow.artifacts if a.builder == m.builder.image)
            if not owners_known and not any(x.startswith("--chown=") for x in flags):
                f.append("--chown=0:0")  # the legacy runtime COPY stamped 0:0 (SEMANTICS.md)
            stage = m.builder.name if m.direct else m.builder.dist
            lines.append(render.copy_from("COPY", stage, f, [m.src or "/"], m.dest,
                                          ins.json_form))
            explain.append(f"{ins.loc}: {ins.keyword} {' '.join(ins.args)} -> "
                           f"COPY --from={stage} {m.src} {m.dest}")
        r_edits.append(Edit(ins.span, "\n".join(lines) + "\n"))
    merged: list[Stage] = []
    chained = {(path, raw.lower()): b.name for path, raw, image in flow.chained
                for b in builders if b.makes(image)}
    header_lines, blocks = builder_blocks(builders, rdf, new_ctx, taken, explain, settings,
                                          merged, chained)
    for st in merged:  # the builder's copy of this stage, inserted before, serves both
        r_edits.append(Edit(Span(leading_comments_start(rdf.text, st.from_), st.end), ""))
        explain.append(f"{st.from_.loc}: stage {st.name} is also a builder stage: one copy")
    for image, arts in via_dist.items():
        b = by_image[image]
        commands = list(dict.fromkeys(step for a in dict.fromkeys(arts) for step in a.replay))
        blocks.append(render.dist_stage(b.name, b.dist, b.build is not None and
                                        user_in(b.stages), commands, rdf.escape))
        explain.append(f"stage {b.dist}: replays the extraction steps")
    blocks.extend(tests)
    for a in flow.artifacts:
        explain.append(f"{a.loc}: {a.how} {a.builder}:{a.src or '(output)'} -> {a.host}"
                       + "".join(f" (then {e})" for e in a.edges))
    inserted = (sum(len(b.stages) or 1 for b in builders) + len(via_dist) + len(tests)
                - len(merged))
    r_edits.extend(runtime_reference_edits(rdf, runtime, new_ctx, inserted, r_edits))
    syntax = next((b.df.syntax for b in builders if b.df is not None and b.df.syntax), None)
    if syntax and not rdf.syntax:
        # Before the stages inserted at the same offset: edits at one offset apply in list order.
        r_edits.insert(0, Edit(Span(0, 0), f"# syntax={syntax}\n"))
    at = leading_comments_start(rdf.text, rdf.stages[0].from_)
    r_edits.append(Edit(Span(at, at), render.stages(
        ["\n".join(header_lines), *blocks] if header_lines else blocks)))
    return apply(rdf.text, r_edits)


def _unstaged(rdf: Dockerfile, runtime: BuildOp, artifacts: Sequence[Artifact]) -> None:
    """A source of an assembled context that no `cp` brought from the project and no step took
    out of a container (the script wrote it there: `echo ... > "$TMP/VERSION.json"`): the one
    context has no such file."""
    if not runtime.staged or runtime.context == STDIN:  # a piped stream: its members
        return
    top = runtime.context.rstrip("/") + "/"
    made = [a.host for a in artifacts]
    for _stage, ins, sources in copy_sources(rdf, runtime.context, runtime.staged):
        for src, path in zip(ins.args, sources, strict=False):
            if (path == runtime.context or path.startswith(top)) and not any(
                    path == h or path.startswith(h.rstrip("/") + "/") for h in made):
                raise Unsupported(ins.loc, f"{ins.keyword} {src}: the script puts {src} into "
                                           f"the assembled context {runtime.context} other "
                                           "than by copying a project file there, so the one "
                                           "build context has no such file")


def _removed_builders(flow: Flow, rt: BuildOp, dockerfiles: Mapping[str, Dockerfile],
                      rdf: Dockerfile, changes: Sequence[FileChange], files: Collection[str],
                      read: Callable[[str], str | None], warnings: list[Problem],
                      joined: Sequence[str] = ()) -> list[FileChange]:
    """Builder Dockerfiles nothing uses any more, and those of base images whose stages
    joined the final Dockerfile (another file naming one keeps it)."""
    still_used = {op.dockerfile for op in [rt, *flow.also, *flow.keep_builder_tags]}
    dead = [op.dockerfile for op in flow.builders
            if op.dockerfile not in still_used and op.dockerfile != rdf.path
            and all(c.path != op.dockerfile for c in changes)] + list(joined)
    texts = {c.path: c.new for c in changes if c.new is not None}
    keep, why = kept_builders(dead, files, texts, read, {*dockerfiles, rdf.path})
    warnings.extend(why)
    return [FileChange(df, dockerfiles[df].text, None) for df in dict.fromkeys(dead)
            if df not in keep]
