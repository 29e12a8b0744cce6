"""The builder stages of the new Dockerfile, spliced from the builder Dockerfiles."""

from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Collection, Mapping, Sequence

from migrator import render
from migrator.infer import _covers
from migrator.model import BuildOp, Dockerfile, Problem, Span, Stage, Unsupported, warning
from migrator.plan.naming import Builder, unique
from migrator.plan.text import (
    arg_name,
    copy_text,
    leading_comments_start,
    option,
    reescape,
    relative_source,
    rewrite_from,
)
from migrator.settings import Settings
from migrator.sources import copy_sources
from migrator.splice import Edit, apply


def builder_blocks(builders: Sequence[Builder], rdf: Dockerfile, new_ctx: str,
                   taken: set[str], explain: list[str], settings: Settings,
                   merged: list[Stage], chained: Mapping[tuple[str, str], str] | None = None,
                   ) -> tuple[list[str], list[str]]:
    """Global ARG lines to add, and the text of each builder's stages, spliced from its file.
    `merged` gets the runtime stages a builder stage replaces (the same stage in both files);
    `chained`: (builder file, FROM text lower-cased) -> the stage of the builder it names."""
    blocks: list[str] = []
    header_lines: list[str] = []
    rheader = {arg_name(i): i.text for i in rdf.header}
    for b in builders:
        if b.run is not None:
            blocks.append(run_block(b, builders, new_ctx, settings.buildkit))
            explain.append(f"{b.loc}: stage {b.name} from the container that ran {b.run.base}"
                           + "".join(f"; ignored {x}" for x in b.run.ignored))
            continue
        if b.df is None or b.build is None:
            blocks.append(render.stage_from(b.image, b.name))
            continue
        bdf = b.df
        for h in bdf.header:
            key = arg_name(h)
            if key in rheader and rheader[key].strip() != h.text.strip():
                raise Unsupported(h.loc, f"global ARG {key} differs from {rdf.path}'s")
            if key not in rheader and h.text not in header_lines:
                header_lines.append(h.text)
        blocks.extend(_spliced_stages(b, b.build, bdf, rdf, new_ctx, taken, merged,
                                      chained or {}))
        explain.append(f"{b.loc}: stage {b.name} from {bdf.path}")
    return header_lines, blocks


def _same_stage(a: Stage, a_escape: str, b: Stage, b_escape: str) -> bool:
    """The same instructions, word for word (`a` read as it would be under `b`'s escape)."""
    left = [" ".join(reescape(i, a_escape, b_escape).split()) for i in (a.from_, *a.body)]
    return left == [" ".join(i.text.split()) for i in (b.from_, *b.body)]


def _stage_names(b: Builder, rdf: Dockerfile, taken: set[str],
                 merged: list[Stage]) -> dict[str, str]:
    """The new name of each of a builder file's stages, by index and by old (lower-case) name.
    A stage the runtime file has too, word for word under the same name, keeps its name: it
    is the runtime's (which goes, the one copy now coming first)."""
    names: dict[str, str] = {}
    for st in b.stages:
        twin = rdf.stage(st.name) if st.name else None
        if st.index == len(b.stages) - 1:
            new = b.name
        elif twin is not None and b.df is not None and st.base.lower() not in names and \
                _same_stage(st, b.df.escape, twin, rdf.escape):
            new = st.name or ""
            if twin not in merged:
                merged.append(twin)
        elif st.name and st.name.lower() not in taken:
            new = unique(st.name, taken)
        else:
            new = unique(f"{b.name}-{st.name or st.index}", taken)
        names[str(st.index)] = new
        if st.name:
            names[st.name.lower()] = new
    return names


def _spliced_stages(b: Builder, build: BuildOp, bdf: Dockerfile, rdf: Dockerfile, new_ctx: str,
                    taken: set[str], merged: list[Stage],
                    chained: Mapping[tuple[str, str], str]) -> list[str]:
    """Each stage's text from the builder file, its names and context paths rewritten, and
    re-escaped where the two files' escape characters differ."""
    names = _stage_names(b, rdf, taken, merged)
    platform = option(build.options, "--platform")
    blocks = []
    for st in b.stages:
        if st.name and names.get(st.name.lower()) == st.name and rdf.stage(st.name) in merged:
            # The runtime's copy, which is the same stage and goes from where it was.
            twin = rdf.stage(st.name)
            assert twin is not None
            blocks.append(rdf.text[leading_comments_start(rdf.text, twin.from_) : twin.end]
                          .rstrip("\n"))
            continue
        start = leading_comments_start(bdf.text, st.from_)
        base = names.get(st.base.lower()) or chained.get((bdf.path, st.base.lower()))
        edits = [Edit(st.from_.span, rewrite_from(st.from_, base, names[str(st.index)],
                                                  platform) + "\n")]
        for ins in st.body:
            if ins.keyword not in ("COPY", "ADD"):
                continue
            ref = ins.flag("from")
            if ref is not None and ref.lower() in names:
                flags = [f"--from={names[ref.lower()]}" if f.startswith("--from=") else f
                         for f in ins.flags]
                edits.append(Edit(ins.span, copy_text(ins, flags, ins.args) + "\n"))
            elif ref is None and build.context != new_ctx and len(ins.args) >= 2 and \
                    not any(a.startswith("<<") for a in ins.args):
                srcs = [relative_source(x, build.context, new_ctx, build.staged)
                        for x in ins.args[:-1]]
                edits.append(Edit(ins.span, copy_text(ins, ins.flags,
                                                      [*srcs, ins.args[-1]]) + "\n"))
        # A builder's VOLUME never reaches the final image, and under the classic builder it
        # swallows what the stages built on it write there (the replayed container command).
        edits.extend(Edit(ins.span, "") for ins in st.body if ins.keyword == "VOLUME")
        if bdf.escape != rdf.escape:
            done = {e.span for e in edits}
            edits.extend(Edit(i.span, reescape(i, bdf.escape, rdf.escape) + "\n")
                         for i in st.body if i.span not in done)
        shifted = [Edit(Span(e.span.start - start, e.span.end - start), e.text) for e in edits]
        blocks.append(apply(bdf.text[start : st.end], shifted).rstrip("\n"))
    return blocks


def run_block(b: Builder, builders: Sequence[Builder], new_ctx: str, buildkit: bool) -> str:
    run = b.run
    assert run is not None
    base = next((x.name for x in builders if x.run is None and x.makes(run.base)), run.base)
    args, env = [], []
    for k, w in run.env:
        if w is not None and w.known:
            env.append(f"{k}={shlex.quote(w.value)}" if w.value else f'{k}=""')
        else:
            args.append(k)  # its value comes from the environment: a build arg
    copies = []
    for src, target in run.copies:
        rel = posixpath.relpath(src, new_ctx)
        copies.append(f"{rel if rel != '.' else '.'} {target}")
    # A cache the container mounted: a BuildKit cache mount when BuildKit syntax is allowed;
    # otherwise nothing (a cache changes speed, not the result).
    mounts = "".join(f"--mount=type=cache,target={t} " for t in run.caches) if buildkit else ""
    steps = []
    for step in run.steps:
        argv = step.argv
        if step.copy:
            steps.append(f"COPY {posixpath.relpath(argv[0], new_ctx)} {argv[1]}")
        elif step.workdir:
            steps.append(f"RUN {mounts}cd {shlex.quote(step.workdir)} && {shlex.join(argv)}")
        elif len(argv) == 3 and argv[:2] == ("/bin/sh", "-c"):
            steps.append(f"RUN {mounts}{argv[2]}")  # the shell form it was written in
        else:
            steps.append(f"RUN {mounts}{json.dumps(list(argv))}")
    return render.run_stage(str(run.loc), base, b.name, args, env, run.workdir, copies,
                            run.mkdirs, steps)


def ignored_by_context(builders: Sequence[Builder], new_ctx: str,
                       ignores: Mapping[str, str], files: Collection[str]) -> list[Problem]:
    """A bind mount showed the build every file; a COPY leaves out what .dockerignore names."""
    text = ignores.get(posixpath.normpath(posixpath.join(new_ctx, ".dockerignore")))
    runs = [b.run for b in builders if b.run is not None and b.run.copies]
    if not text or not runs:
        return []
    from migrator.dockerignore import matcher as ignore_matcher

    matcher = ignore_matcher([line.strip() for line in text.splitlines()
                              if line.strip() and not line.strip().startswith("#")])
    out = []
    for run in runs:
        for src, target in run.copies:
            hidden = sorted(
                f for f in files
                if _covers(src, f) and f != posixpath.join(new_ctx, ".dockerignore")
                and matcher.matches(posixpath.relpath(f, new_ctx)))
            if hidden:
                sample = ", ".join(hidden[:4]) + (" ..." if len(hidden) > 4 else "")
                noun = "file" if len(hidden) == 1 else "files"
                out.append(warning(run.loc, f"the bind mount showed the build {len(hidden)} "
                                            f"{noun} that .dockerignore keeps out of `COPY {src} "
                                            f"{target}` ({sample}); if the build needs them, "
                                            "add `!` exceptions to .dockerignore"))
    return out


def runtime_reference_edits(rdf: Dockerfile, runtime: BuildOp, new_ctx: str, inserted: int,
                            done: Sequence[Edit]) -> list[Edit]:
    """Numeric `--from=N` moves by the stages put before it; context paths follow the context."""
    edits: list[Edit] = []
    touched = {e.span for e in done}
    for st in rdf.stages:
        for ins in st.body:
            ref = ins.flag("from")
            if ref is not None and ref.isdigit() and ins.span not in touched:
                flags = [f"--from={int(ref) + inserted}" if f.startswith("--from=") else f
                         for f in ins.flags]
                edits.append(Edit(ins.span, copy_text(ins, flags, ins.args) + "\n"))
                touched.add(ins.span)
    if runtime.context != new_ctx:
        for _stage, ins, _sources in copy_sources(rdf, runtime.context, runtime.staged):
            if ins.span in touched:
                continue
            srcs = [relative_source(s, runtime.context, new_ctx, runtime.staged)
                    for s in ins.args[:-1]]
            edits.append(Edit(ins.span, copy_text(ins, ins.flags, [*srcs, ins.args[-1]]) + "\n"))
    return edits
