"""Plan the migration: the multi-stage Dockerfile and the build script's edits, as new texts.

The runtime Dockerfile is the base: the builder stages (spliced from the builder Dockerfiles),
any stage that puts outputs in the state the legacy flow left them, and `COPY --from` lines for
the extracted files are spliced into it; every other byte stays. The script keeps every line that
is not a builder-pattern step; its final build gets what the builder build needed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from migrator import render
from migrator.infer import DIST, Flow, _covers
from migrator.model import (
    Artifact,
    BuildOp,
    Command,
    Dockerfile,
    Instruction,
    Loc,
    Problem,
    Script,
    Span,
    Stage,
    Unsupported,
    warning,
)
from migrator.settings import Settings
from migrator.sources import context_path, copy_sources
from migrator.splice import Edit, apply, orphaned_comments

PROXY_ARGS = {
    name
    for base in ("http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy")
    for name in (base, base.upper())
}
_ARCHIVE = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".gz", ".bz2", ".xz")
_DIRECTIVE = re.compile(r"^\s*#\s*(syntax|escape|check)\s*=", re.I)


@dataclass(frozen=True)
class FileChange:
    path: str
    old: str | None  # None: the file is new
    new: str | None  # None: the file is removed


@dataclass(frozen=True)
class Plan:
    changes: tuple[FileChange, ...]
    explain: tuple[str, ...]
    warnings: tuple[Problem, ...]


# ------------------------------------------------------------------ naming


def _stage_name_for(image: str) -> str:
    repo = image.rsplit("/", 1)[-1]
    name, _, tag = repo.partition(":")
    name = name.partition("@")[0]
    if tag and tag != "latest" and not tag[:1].isdigit() and "$" not in tag:
        name = f"{name}-{tag}"
    name = re.sub(r"[^a-z0-9_.-]+", "-", name.lower()).strip("-._")
    if not name or not name[0].isalpha():
        name = f"stage-{name}" if name else "stage"
    return name


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate.lower())
    return candidate


# ------------------------------------------------------------------ Dockerfile helpers


def _leading_comments_start(text: str, ins: Instruction) -> int:
    """Start of the comment lines directly above an instruction (no blank line between)."""
    start = ins.span.start
    while start > 0:
        prev_start = text.rfind("\n", 0, start - 1) + 1
        line = text[prev_start:start]
        if line.lstrip().startswith("#") and not _DIRECTIVE.match(line):
            start = prev_start
        else:
            break
    return start


def _rewrite_from(ins: Instruction, base: str | None, name: str) -> str:
    """The FROM text with the stage named `name` (and the base renamed, for an earlier stage)."""
    text = ins.text
    if base is not None:
        text = re.sub(r"(\s)" + re.escape(ins.args[0]) + r"(\s|$)", lambda m: m.group(1) + base
                      + m.group(2), text, count=1)
    m = re.search(r"\s+[Aa][Ss]\s+(\S+)\s*$", text)
    if m:
        return text[: m.start(1)] + name + text[m.end(1) :]
    stripped = text.rstrip()
    return f"{stripped} AS {name}{text[len(stripped):]}"


def _copy_text(ins: Instruction, flags: Sequence[str], args: Sequence[str]) -> str:
    keyword = ins.text.split(None, 1)[0]
    if ins.json_form:
        import json

        return " ".join([keyword, *flags, json.dumps(list(args))])
    return " ".join([keyword, *flags, *args])


def _relative_source(source: str, old_ctx: str, new_ctx: str) -> str:
    path = context_path(old_ctx, source)
    trailing = "/" if path.endswith("/") else ""
    rel = posixpath.relpath(path.rstrip("/") or ".", new_ctx)
    return (rel + trailing) if rel != "." else ("./" if trailing else ".")


def _user_in(stages: Sequence[Stage]) -> bool:
    return any(i.keyword == "USER" for s in stages for i in s.body)


# ------------------------------------------------------------------ the plan


@dataclass(frozen=True)
class _Builder:
    image: str
    name: str  # its stage name in the new Dockerfile
    build: BuildOp | None  # None for a stock image
    df: Dockerfile | None
    stages: tuple[Stage, ...]  # the builder file's stages up to the target
    loc: Loc

    @property
    def runs_as_root(self) -> bool:
        return self.build is not None and not _user_in(self.stages)


def plan(
    flow: Flow,
    script: Script,
    dockerfiles: Mapping[str, Dockerfile],
    files: Collection[str],
    settings: Settings,
) -> Plan:
    runtime = flow.runtime
    rdf = dockerfiles[runtime.dockerfile]
    warnings: list[Problem] = list(flow.warnings)
    explain: list[str] = []

    contexts = [runtime.context] + [b.context for b in flow.builders]
    new_ctx = posixpath.commonpath([posixpath.join("/", c) for c in contexts]).lstrip("/") or "."
    for b in flow.builders:
        if b.context != new_ctx and any(f.endswith(".dockerignore") for f in files):
            warnings.append(warning(b.cmd.loc, f"the builder's context {b.context!r} becomes part "
                                               f"of context {new_ctx!r}: check .dockerignore"))

    # Stage names: the runtime's own, and every FROM base, are taken.
    taken = {s.name.lower() for s in rdf.stages if s.name}
    taken |= {s.base.lower() for s in rdf.stages}
    images = [b for b in flow.builders] + [s for s in flow.stock]
    builders: list[_Builder] = []
    single = len(images) == 1
    for item in images:
        if isinstance(item, BuildOp):
            bdf = dockerfiles[item.dockerfile]
            if item.target is not None:
                st = bdf.stage(item.target)
                if st is None:
                    raise Unsupported(item.cmd.loc, f"--target {item.target} is not a stage of "
                                                    f"{item.dockerfile}")
                upto = st.index
            else:
                upto = len(bdf.stages) - 1
            taken |= {s.base.lower() for s in bdf.stages[: upto + 1]}
            image = item.tags[0].value if item.tags else item.dockerfile
            for t in item.tags:
                if any(a.builder == t.value for a in flow.artifacts):
                    image = t.value
            name = _unique("builder" if single else _stage_name_for(image), taken)
            builders.append(_Builder(image, name, item, bdf, bdf.stages[: upto + 1], item.cmd.loc))
        else:
            image, loc = item
            name = _unique("builder" if single else _stage_name_for(image), taken)
            builders.append(_Builder(image, name, None, None, (), loc))
    by_image = {b.image: b for b in builders}
    for b in builders:
        if b.build is not None:
            for t in b.build.tags:
                by_image.setdefault(t.value, b)

    # ----- final-stage COPY instructions that read extracted files
    used = [a for a in flow.artifacts]
    via_dist: dict[str, list[Artifact]] = {}
    r_edits: list[Edit] = []
    pending: list[tuple[Instruction, list[str]]] = []  # computed after dist names are known

    def dist_name(b: _Builder) -> str:
        return "dist" if single else f"{b.name}-dist"

    copy_plans: list[tuple[Instruction, list[tuple[str, str | None, str, bool]]]] = []
    for _stage, ins, sources in copy_sources(rdf, runtime.context):
        dest = ins.args[-1]
        multi = len(sources) > 1
        keep: list[str] = []
        moves: list[tuple[str, str | None, str, bool]] = []  # (stage key, src, dest, direct)
        for raw, src in zip(ins.args[:-1], sources, strict=True):
            exact = [a for a in used if a.host == src.rstrip("/")]
            inside = [a for a in used if a.host != src.rstrip("/") and _covers(a.host, src)]
            holds = [a for a in used if a.host != src.rstrip("/") and _covers(src, a.host)
                     and src != "."]
            wildcard = any(c in src for c in "*?[")
            if ins.keyword == "ADD" and (exact or inside) and src.endswith(_ARCHIVE):
                raise Unsupported(ins.loc, f"ADD unpacks the extracted archive {src}; a stage "
                                           "cannot feed ADD")
            if exact and exact[0].direct and not src.endswith("/"):
                a = exact[0]
                moves.append((a.builder, a.src, dest, True))
            elif exact or inside:
                a = (exact or inside)[0]
                via_dist.setdefault(a.builder, []).append(a)
                moves.append((a.builder, posixpath.join(DIST, src), dest, False))
            elif holds and not wildcard:
                project_files = any(f.startswith(src.rstrip("/") + "/") and
                                    not any(_covers(h.host, f) for h in used) for f in files)
                if project_files:
                    keep.append(raw)
                    for a in holds:
                        target = posixpath.join(dest, posixpath.relpath(a.host, src.rstrip("/")))
                        if a.direct:
                            moves.append((a.builder, a.src, target, True))
                        else:
                            via_dist.setdefault(a.builder, []).append(a)
                            moves.append((a.builder, posixpath.join(DIST, a.host), target, False))
                else:
                    for image in dict.fromkeys(a.builder for a in holds):
                        via_dist.setdefault(image, []).extend(a for a in holds
                                                              if a.builder == image)
                        moves.append((image, posixpath.join(DIST, src), dest, False))
            elif src == "." and any(True for _ in used):
                keep.append(raw)
                for a in used:
                    target = posixpath.join(dest, a.host)
                    if a.direct:
                        moves.append((a.builder, a.src, target, True))
                    else:
                        via_dist.setdefault(a.builder, []).append(a)
                        moves.append((a.builder, posixpath.join(DIST, a.host), target, False))
            else:
                keep.append(raw)
        if not moves:
            continue
        if multi and not dest.endswith("/"):
            raise Unsupported(ins.loc, "COPY with several sources needs a destination ending "
                                       "in /")
        copy_plans.append((ins, [*keep]))
        pending.append((ins, keep))
        copy_plans[-1] = (ins, moves)  # type: ignore[assignment]
        del multi

    # ----- dist stages
    dist_blocks: dict[str, str] = {}
    for image, arts in via_dist.items():
        b = by_image[image]
        commands: list[str] = []
        for a in dict.fromkeys(arts):
            for step in a.replay:
                if step not in commands:
                    commands.append(step)
        as_root = b.build is not None and _user_in(b.stages)
        dist_blocks[image] = render.dist_stage(b.name, dist_name(b), as_root, commands, rdf.escape)

    for (ins, moves), (_, keep) in zip(copy_plans, pending, strict=True):
        flags = [f for f in ins.flags if not f.startswith("--from=")]
        lines: list[str] = []
        if keep:
            lines.append(_copy_text(ins, ins.flags, [*keep, ins.args[-1]]))
        for image, src, dest, direct in moves:
            b = by_image[image]
            f = list(flags)
            needs_chown = not any(x.startswith("--chown=") for x in flags) and not (
                b.runs_as_root and all(a.user is None for a in flow.artifacts if a.builder == image)
            )
            if needs_chown:
                f.append("--chown=0:0")
            stage = b.name if direct else dist_name(b)
            lines.append(render.copy_from("COPY", stage, f, [src or "/"], dest, ins.json_form))
            explain.append(f"{ins.loc}: {ins.keyword} {' '.join(ins.args)} -> "
                           f"COPY --from={stage} {src} {dest}")
        r_edits.append(Edit(Span(ins.span.start, ins.span.end), "\n".join(lines) + "\n"))

    # ----- builder stages, spliced from their own Dockerfiles
    blocks: list[str] = []
    header_lines: list[str] = []
    rheader = {i.text.split(None, 1)[1].split("=", 1)[0].strip(): i.text for i in rdf.header
               if " " in i.text}
    for b in builders:
        if b.df is None or b.build is None:
            blocks.append(render.stage_from(b.image, b.name))
            continue
        bdf = b.df
        if bdf.escape != rdf.escape:
            raise Unsupported(Loc(bdf.path, 1), f"escape character {bdf.escape!r} differs from "
                                                f"{rdf.path}'s {rdf.escape!r}")
        for h in bdf.header:
            key = h.text.split(None, 1)[1].split("=", 1)[0].strip() if " " in h.text else h.text
            if key in rheader and rheader[key].strip() != h.text.strip():
                raise Unsupported(h.loc, f"global ARG {key} differs from {rdf.path}'s")
            if key not in rheader and h.text not in header_lines:
                header_lines.append(h.text)
        names: dict[str, str] = {}
        for st in b.stages:
            if st.index == len(b.stages) - 1:
                new = b.name
            elif st.name and st.name.lower() not in taken:
                new = _unique(st.name, taken)
            else:
                new = _unique(f"{b.name}-{st.name or st.index}", taken)
            names[str(st.index)] = new
            if st.name:
                names[st.name.lower()] = new
        for st in b.stages:
            start = _leading_comments_start(bdf.text, st.from_)
            edits: list[Edit] = []
            base = names.get(st.base.lower())
            edits.append(Edit(st.from_.span, _rewrite_from(st.from_, base, names[str(st.index)])
                              + "\n"))
            for ins in st.body:
                if ins.keyword not in ("COPY", "ADD"):
                    continue
                ref = ins.flag("from")
                if ref is not None and ref.lower() in names:
                    flags = [f"--from={names[ref.lower()]}" if f.startswith("--from=") else f
                             for f in ins.flags]
                    edits.append(Edit(ins.span, _copy_text(ins, flags, ins.args) + "\n"))
                elif ref is None and b.build.context != new_ctx and len(ins.args) >= 2 and not \
                        any(a.startswith("<<") for a in ins.args):
                    srcs = [_relative_source(s, b.build.context, new_ctx) for s in ins.args[:-1]]
                    edits.append(Edit(ins.span, _copy_text(ins, ins.flags, [*srcs, ins.args[-1]])
                                      + "\n"))
            shifted = [Edit(Span(e.span.start - start, e.span.end - start), e.text) for e in edits]
            blocks.append(apply(bdf.text[start : st.end], shifted).rstrip("\n"))
        explain.append(f"{b.loc}: stage {b.name} from {bdf.path}")
    for image, block in dist_blocks.items():
        blocks.append(block)
        explain.append(f"stage {dist_name(by_image[image])}: replays the extraction steps")
    for a in flow.artifacts:
        explain.append(f"{a.loc}: {a.how} {a.builder}:{a.src or '(output)'} -> {a.host}"
                       + "".join(f" (then {e})" for e in a.edges))

    inserted = len([s for b in builders for s in (b.stages or (None,))]) + len(dist_blocks)
    # Numeric stage references in the runtime file move by the stages put before them.
    for st in rdf.stages:
        for ins in st.body:
            ref = ins.flag("from")
            if ref is not None and ref.isdigit() and not any(e.span == ins.span for e in r_edits):
                flags = [f"--from={int(ref) + inserted}" if f.startswith("--from=") else f
                         for f in ins.flags]
                r_edits.append(Edit(ins.span, _copy_text(ins, flags, ins.args) + "\n"))
    if runtime.context != new_ctx:
        for _stage, ins, _sources in copy_sources(rdf, runtime.context):
            if any(e.span == ins.span for e in r_edits):
                continue
            srcs = [_relative_source(s, runtime.context, new_ctx) for s in ins.args[:-1]]
            r_edits.append(Edit(ins.span, _copy_text(ins, ins.flags, [*srcs, ins.args[-1]])
                                + "\n"))

    first = rdf.stages[0].from_
    at = _leading_comments_start(rdf.text, first)
    block = render.stages(["\n".join(header_lines)] + blocks if header_lines else blocks)
    r_edits.append(Edit(Span(at, at), block))
    syntax = next((b.df.syntax for b in builders if b.df is not None and b.df.syntax), None)
    if syntax and not rdf.syntax:
        # Before the stages inserted at the same offset: edits at one offset apply in list order.
        r_edits.insert(0, Edit(Span(0, 0), f"# syntax={syntax}\n"))
    new_dockerfile = apply(rdf.text, r_edits)

    changes = [FileChange(rdf.path, rdf.text, new_dockerfile)]
    script_text = _edit_script(flow, script, builders, rdf, new_ctx, warnings)
    if script_text != script.text:
        changes.append(FileChange(script.path, script.text, script_text))
    if not settings.keep_legacy:
        still_used = {op.dockerfile for op in [flow.runtime, *flow.keep_builder_tags]}
        for b in flow.builders:
            if b.dockerfile not in still_used and b.dockerfile != rdf.path and \
                    all(c.path != b.dockerfile for c in changes):
                changes.append(FileChange(b.dockerfile, dockerfiles[b.dockerfile].text, None))
    return Plan(tuple(changes), tuple(explain), tuple(warnings))


# ------------------------------------------------------------------ the build script


def _edit_script(flow: Flow, script: Script, builders: Sequence[_Builder], rdf: Dockerfile,
                 new_ctx: str, warnings: list[Problem]) -> str:
    edits: list[Edit] = []
    dead = set(flow.dead)
    # A step reached through a function is removed at its call site, when all of it is dead.
    by_call: dict[Command, list[Command]] = {}
    for c in script.commands:
        if c.calls:
            by_call.setdefault(c.calls[0], []).append(c)
    removed_calls: set[Command] = set()
    for c in flow.dead:
        if c.file != script.path and c.file:
            continue
        if c.calls:
            site = c.calls[0]
            if all(x in dead for x in by_call.get(site, [])):
                removed_calls.add(site)
            else:
                raise Unsupported(c.loc, f"function called at {site.loc} mixes builder-pattern "
                                         "steps with other commands; cannot rewrite it")
        else:
            edits.append(Edit(c.cut, ""))
    edits.extend(Edit(site.cut, "") for site in removed_calls)
    # A function none of whose calls remain is dead too.
    calls_by_name: dict[str, set[Command]] = {}
    for c in script.commands:
        for site in c.calls:
            calls_by_name.setdefault(site.name, set()).add(site)
    for name, span in script.functions:
        sites = calls_by_name.get(name, set())
        if sites and all(site in removed_calls for site in sites):
            edits.append(Edit(span, ""))
    if script.kind == "shell":
        edits.extend(Edit(span, "") for span in orphaned_comments(script.text, edits))

    rt = flow.runtime
    cmd = rt.cmd
    if cmd.calls:
        site = cmd.calls[0]
        others = [c for c in script.commands if c.calls and c.calls[0] is not site
                  and c.span == cmd.span and c.calls[0] not in removed_calls]
        if others:
            raise Unsupported(cmd.loc, "the final build's function is also called elsewhere "
                                       f"({others[0].calls[0].loc}); cannot rewrite it")
    existing = {w.raw for _, w in rt.build_args}
    runtime_args = {k: w for k, w in rt.build_args}
    insert: list[str] = []
    runtime_stage_args = {i.text.split(None, 1)[1].split("=", 1)[0].strip()
                          for st in rdf.stages for i in st.body if i.keyword == "ARG"} | \
        {i.text.split(None, 1)[1].split("=", 1)[0].strip() for i in rdf.header}
    for b in builders:
        if b.build is None:
            continue
        for k, w in b.build.build_args:
            if any(w.span == rw.span for _, rw in rt.build_args):
                continue  # the same words (a shared function): already on the final build
            if k in runtime_args:
                if runtime_args[k].value != w.value:
                    raise Unsupported(b.build.cmd.loc, f"build arg {k} has different values for "
                                      f"the builder and the final image ({cmd.loc})")
                continue
            if k not in PROXY_ARGS and k in runtime_stage_args:
                raise Unsupported(b.build.cmd.loc, f"build arg {k} given to the builder would "
                                                   f"also reach ARG {k} in {rdf.path}")
            if w.raw not in existing:
                # A word that expanded to several (`$(BUILD_ARGS)`) goes in once, as written.
                insert.append(w.raw if w.split else f"--build-arg {w.raw}")
                existing.add(w.raw)
        for o in b.build.options:
            if o.value in ("--no-cache", "--pull", "-q", "--quiet", "--rm", "--force-rm"):
                warnings.append(warning(b.build.cmd.loc, f"builder option {o.value} is dropped"))
    words = list(cmd.argv)
    build_word = next(i for i, w in enumerate(words) if w.value == "build")
    if insert:
        at = words[build_word].span.end
        edits.append(Edit(Span(at, at), render.build_options(insert)))
    if rt.context != new_ctx:
        ctx_word = [w for w in words if context_path(".", w.value) ==
                    posixpath.relpath(rt.context, _rel_cwd(cmd))
                    or w.value.rstrip("/") in (rt.context, ".")][-1]
        new_ctx_arg = posixpath.relpath(new_ctx, _rel_cwd(cmd))
        edits.append(Edit(ctx_word.span, new_ctx_arg))
        if not rt.dockerfile_given:
            at = words[build_word].span.end
            edits.append(Edit(Span(at, at), " -f " + posixpath.relpath(rdf.path, _rel_cwd(cmd))))
    for b in flow.keep_builder_tags:
        builder = next(x for x in builders if x.build is b)
        opts = [f"-t {t.raw}" for t in b.tags] + [f"--build-arg {w.raw}" for _, w in b.build_args]
        opts.append("-f " + posixpath.relpath(rdf.path, _rel_cwd(b.cmd)))
        docker = b.cmd.argv[0].raw
        line = render.target_build(docker, builder.name, opts,
                                   posixpath.relpath(new_ctx, _rel_cwd(b.cmd)))
        edits.append(Edit(b.cmd.span, line))
    return apply(script.text, edits)


def _rel_cwd(cmd: Command) -> str:
    from migrator.interpret import project_rel

    return project_rel(cmd.cwd) or "."
