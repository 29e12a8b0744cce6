"""The one build that remains: what the final `docker build` command needs now, as edits.

The builder builds' args and options move to the final build; its context and `-f` follow the
new context; a builder tag that a kept step still uses is built as `--target <stage>`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from migrator import render
from migrator.infer import Flow
from migrator.model import (
    BuildOp,
    Command,
    Dockerfile,
    Loc,
    Problem,
    Script,
    Span,
    Unsupported,
    Word,
    warning,
)
from migrator.plan.naming import Builder
from migrator.plan.text import PROXY_ARGS, arg_name
from migrator.sources import context_path
from migrator.splice import Edit

# Builder build options that only change how the build runs, not what it may do.
_HARMLESS = {"--no-cache", "--pull", "-q", "--quiet", "--rm", "--force-rm", "--progress",
             "--iidfile", "--platform", "--compress", "--squash", "--load"}


def rel_cwd(cmd: Command) -> str:
    from migrator.interpret import project_rel

    return project_rel(cmd.cwd) or "."


def final_build_edits(flow: Flow, rt: BuildOp, script: Script, builders: Sequence[Builder],
                      rdf: Dockerfile, new_ctx: str, removed_sites: set[Command],
                      warnings: list[Problem]) -> list[tuple[Command, Edit]]:
    """Edits to the final build command `rt`, and to builder builds whose tag is still used."""
    cmd = rt.cmd
    _check_single_call(script, cmd, removed_sites)
    _option_warnings(rt, builders, warnings)
    words = list(cmd.argv)
    build_word = next(i for i, w in enumerate(words) if w.value == "build")
    at = words[build_word].span.end
    edits: list[Edit] = []
    insert = _arg_inserts(rt, builders, rdf)
    if insert:
        edits.append(Edit(Span(at, at), render.build_options(insert)))
    if rt.context != new_ctx:
        ctx_word = [w for w in words if context_path(".", w.value) ==
                    posixpath.relpath(rt.context, rel_cwd(cmd))
                    or w.value.rstrip("/") in (rt.context, ".")][-1]
        edits.append(Edit(ctx_word.span, posixpath.relpath(new_ctx, rel_cwd(cmd))))
        dockerfile_arg = posixpath.relpath(rdf.path, rel_cwd(cmd))
        if not rt.dockerfile_given:
            edits.append(Edit(Span(at, at), " -f " + dockerfile_arg))
        elif rt.staged and rt.dockerfile_word is not None:
            edits.append(Edit(rt.dockerfile_word.span, dockerfile_arg))
    out = [(cmd, e) for e in edits]
    for op in flow.keep_builder_tags:
        builder = next(x for x in builders if x.build is op)
        out.append((op.cmd, Edit(op.cmd.span, target_build(op, builder, rdf, new_ctx))))
    return out


def target_build(op: BuildOp, builder: Builder, rdf: Dockerfile, new_ctx: str) -> str:
    """The builder build `op` as a build of its stage in the new Dockerfile, same tags."""
    # A word that expanded to several (`$(BUILD_ARGS)`) goes in once, as written.
    args = dict.fromkeys(w.raw if w.split else f"--build-arg {w.raw}" for _, w in op.build_args)
    opts = [f"-t {t.raw}" for t in op.tags] + list(args)
    opts.append("-f " + posixpath.relpath(rdf.path, rel_cwd(op.cmd)))
    return render.target_build(op.cmd.argv[0].raw, builder.name, opts,
                               posixpath.relpath(new_ctx, rel_cwd(op.cmd)))


def make_targets_kept(script: Script, builders: Sequence[Builder], rdf: Dockerfile,
                      new_ctx: str) -> tuple[tuple[Command, str], ...]:
    """A builder build in a Makefile recipe: if it was all its target did, `make <target>`
    keeps working as a build of the builder stage."""
    from migrator.plan.scripts import file_of, kind_of

    return tuple((b.build.cmd, target_build(b.build, b, rdf, new_ctx)) for b in builders
                 if b.build is not None
                 and kind_of(file_of(b.build.cmd, script), script) == "make")


def _check_single_call(script: Script, cmd: Command, removed_sites: set[Command]) -> None:
    if not cmd.calls:
        return
    site = cmd.calls[0]
    others = [c for c in script.commands if c.calls and c.calls[0] is not site
              and c.span == cmd.span and c.calls[0] not in removed_sites]
    if others:
        raise Unsupported(cmd.loc, "the final build's function is also called elsewhere "
                                   f"({others[0].calls[0].loc}); cannot rewrite it")


def _arg_inserts(rt: BuildOp, builders: Sequence[Builder], rdf: Dockerfile) -> list[str]:
    """The builder builds' `--build-arg`s the final build `rt` must now pass."""
    existing = {w.raw for _, w in rt.build_args}
    runtime_args = {k: w for k, w in rt.build_args}
    insert: list[str] = []
    runtime_stage_args = {arg_name(i) for st in rdf.stages for i in st.body
                          if i.keyword == "ARG"} | {arg_name(i) for i in rdf.header}
    for k, w, text, loc in builder_args(builders):
        if w is not None and any(w.span == rw.span for _, rw in rt.build_args):
            continue  # the same words (a shared function): already on the final build
        if k in runtime_args:
            if w is None or runtime_args[k].value != w.value:
                raise Unsupported(loc, f"build arg {k} has different values for the builder "
                                       f"and the final image ({rt.cmd.loc})")
            continue
        if k not in PROXY_ARGS and k in runtime_stage_args:
            raise Unsupported(loc, f"build arg {k} given to the builder would also reach ARG "
                                   f"{k} in {rdf.path}")
        if text not in existing:
            insert.append(text)
            existing.add(text)
    return insert


def _option_warnings(rt: BuildOp, builders: Sequence[Builder], warnings: list[Problem]) -> None:
    if any(o.value == "--no-cache" for o in rt.options) and any(b.build for b in builders):
        warnings.append(warning(rt.cmd.loc, "--no-cache on the final build now also rebuilds "
                                            "the builder stages (the legacy builder build used "
                                            "the cache)"))
    final_options = {o.value.split("=", 1)[0] for o in rt.options}
    for b in builders:
        for o in b.build.options if b.build else ():
            name = o.value.split("=", 1)[0]
            if not name.startswith("-") or name == "--platform":
                continue
            if name in ("--no-cache", "--pull", "-q", "--quiet"):
                warnings.append(warning(b.loc, f"builder option {name} is dropped"))
            elif name not in _HARMLESS and name not in final_options:
                warnings.append(warning(b.loc, f"builder option {name} is not on the final "
                                               f"build ({rt.cmd.loc}): add it there if the "
                                               "builder stage needs it"))


def builder_args(builders: Sequence[Builder]) -> list[tuple[str, Word | None, str, Loc]]:
    """Build args the one build must now pass: (name, value word, text to insert, where)."""
    out: list[tuple[str, Word | None, str, Loc]] = []
    for b in builders:
        if b.build is not None:
            for k, w in b.build.build_args:
                # A word that expanded to several (`$(BUILD_ARGS)`) goes in once, as written.
                out.append((k, w, w.raw if w.split else f"--build-arg {w.raw}", b.loc))
        if b.run is not None:
            for k, value in b.run.env:
                if value is None:
                    out.append((k, None, f"--build-arg {k}", b.loc))  # from the environment
                elif not value.known:
                    # Quoted, so the value arrives as one word, exactly as the container got it.
                    raw = value.raw if any(q in value.raw for q in "'\"") else f'"{value.raw}"'
                    out.append((k, value, f"--build-arg {k}={raw}", b.loc))
    return out
