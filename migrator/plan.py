"""Plan the migration: the multi-stage Dockerfile and the build script's edits, as new texts.

The runtime Dockerfile is the base: the builder stages (spliced from the builder Dockerfiles),
any stage that puts outputs in the state the legacy flow left them, and `COPY --from` lines for
the extracted files are spliced into it; every other byte stays. The script keeps every line that
is not a builder-pattern step; its final build gets what the builder build needed.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from migrator import render
from migrator.infer import DIST, Flow, RunStage, _covers, in_project, reads_artifact
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
    Word,
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


def _rewrite_from(ins: Instruction, base: str | None, name: str,
                  platform: str | None = None) -> str:
    """The FROM text with the stage named `name` (and the base renamed, for an earlier stage;
    and the builder build's `--platform`, where the line has none)."""
    text = ins.text
    if platform and ins.flag("platform") is None:
        text = re.sub(r"^(\s*\S+)", lambda m: f"{m.group(1)} --platform={platform}", text,
                      count=1)
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


def _relative_source(source: str, old_ctx: str, new_ctx: str,
                     staged: Sequence[tuple[str, str]] = ()) -> str:
    path = context_path(old_ctx, source, staged)
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
    dist: str  # the name of the stage that replays its extractions, if one is needed
    run: RunStage | None = None  # a container's build, a stage FROM `run.base`
    root_base: bool = False  # a run stage on a builder stage known to run as root

    @property
    def runs_as_root(self) -> bool:
        if self.run is not None:
            return self.root_base and self.run.user is None
        return self.build is not None and not _user_in(self.stages)


@dataclass(frozen=True)
class _Move:
    """One `COPY --from` the final stage gets instead of reading an extracted file."""

    builder: _Builder
    src: str
    dest: str
    direct: bool  # from the builder stage itself (else from its replay stage)


def plan(
    flow: Flow,
    script: Script,
    dockerfiles: Mapping[str, Dockerfile],
    files: Collection[str],
    settings: Settings,
    ignores: Mapping[str, str] | None = None,
) -> Plan:
    """`ignores`: the texts of the project's `.dockerignore` files, by path."""
    ignores = ignores or {}
    runtime = flow.runtime
    rdf = dockerfiles[runtime.dockerfile]
    warnings: list[Problem] = list(flow.warnings)
    explain: list[str] = []

    # An assembled (staged) context is replaced by the project it was assembled from.
    contexts = ["." if runtime.staged else runtime.context] + [b.context for b in flow.builders]
    new_ctx = posixpath.commonpath([posixpath.join("/", c) for c in contexts]).lstrip("/") or "."
    for op in flow.builders:
        if op.context != new_ctx and any(f.endswith(".dockerignore") for f in files):
            warnings.append(warning(op.cmd.loc, f"the builder's context {op.context!r} becomes "
                                                f"part of context {new_ctx!r}: check "
                                                ".dockerignore"))

    # Stage names: the runtime's own, and every FROM base, are taken.
    taken = {s.name.lower() for s in rdf.stages if s.name} | {s.base.lower() for s in rdf.stages}
    builders = _name_builders(flow, dockerfiles, taken)
    by_image = {b.image: b for b in builders}
    for b in builders:
        for t in b.build.tags if b.build else ():
            by_image.setdefault(t.value, b)

    r_edits: list[Edit] = []
    via_dist: dict[str, list[Artifact]] = {}
    for ins, keep, moves in _plan_copies(flow, rdf, files, by_image, via_dist):
        flags = [f for f in ins.flags if not f.startswith("--from=")]
        if keep and runtime.context != new_ctx:
            keep = [_relative_source(k, runtime.context, new_ctx, runtime.staged) for k in keep]
        lines = [_copy_text(ins, ins.flags, [*keep, ins.args[-1]])] if keep else []
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

    header_lines, blocks = _builder_blocks(builders, rdf, new_ctx, taken, explain, settings)
    warnings.extend(_ignored_by_context(builders, new_ctx, ignores, files))
    for image, arts in via_dist.items():
        b = by_image[image]
        commands = list(dict.fromkeys(step for a in dict.fromkeys(arts) for step in a.replay))
        blocks.append(render.dist_stage(b.name, b.dist, b.build is not None and
                                        _user_in(b.stages), commands, rdf.escape))
        explain.append(f"stage {b.dist}: replays the extraction steps")
    for a in flow.artifacts:
        explain.append(f"{a.loc}: {a.how} {a.builder}:{a.src or '(output)'} -> {a.host}"
                       + "".join(f" (then {e})" for e in a.edges))

    inserted = sum(len(b.stages) or 1 for b in builders) + len(via_dist)
    r_edits.extend(_runtime_reference_edits(rdf, runtime, new_ctx, inserted, r_edits))
    syntax = next((b.df.syntax for b in builders if b.df is not None and b.df.syntax), None)
    if syntax and not rdf.syntax:
        # Before the stages inserted at the same offset: edits at one offset apply in list order.
        r_edits.insert(0, Edit(Span(0, 0), f"# syntax={syntax}\n"))
    at = _leading_comments_start(rdf.text, rdf.stages[0].from_)
    r_edits.append(Edit(Span(at, at), render.stages(
        ["\n".join(header_lines), *blocks] if header_lines else blocks)))

    changes = [FileChange(rdf.path, rdf.text, apply(rdf.text, r_edits))]
    script_text = _edit_script(flow, script, builders, rdf, new_ctx, warnings)
    if script_text != script.text:
        changes.append(FileChange(script.path, script.text, script_text))
    if not settings.keep_legacy:
        still_used = {op.dockerfile for op in [flow.runtime, *flow.keep_builder_tags]}
        for op in flow.builders:
            if op.dockerfile not in still_used and op.dockerfile != rdf.path and \
                    all(c.path != op.dockerfile for c in changes):
                changes.append(FileChange(op.dockerfile, dockerfiles[op.dockerfile].text, None))
    return Plan(tuple(changes), tuple(explain), tuple(warnings))


def _name_builders(flow: Flow, dockerfiles: Mapping[str, Dockerfile],
                   taken: set[str]) -> list[_Builder]:
    """One stage per builder image: `builder` when there is one, else named after the image;
    a container that built something is a stage after its image's, named after the container."""
    items: list[BuildOp | tuple[str, Loc] | RunStage] = [*flow.builders, *flow.stock, *flow.runs]
    single = len(items) == 1
    builders: list[_Builder] = []
    for item in items:
        if isinstance(item, RunStage):
            base = next((b for b in builders if b.image == item.base or (
                b.build is not None and any(t.value == item.base for t in b.build.tags))), None)
            hint = "builder" if single else _stage_name_for(item.name_hint)
            name = _unique(hint, taken)
            builders.append(_Builder(item.key, name, None, None, base.stages if base else (),
                                     item.loc, f"{name}-dist" if not single else "dist", item,
                                     base is not None and base.runs_as_root))
            continue
        if isinstance(item, BuildOp):
            bdf = dockerfiles[item.dockerfile]
            upto = len(bdf.stages) - 1
            if item.target is not None:
                st = bdf.stage(item.target)
                if st is None:
                    raise Unsupported(item.cmd.loc, f"--target {item.target} is not a stage of "
                                                    f"{item.dockerfile}")
                upto = st.index
            taken |= {s.base.lower() for s in bdf.stages[: upto + 1]}
            image = next((t.value for t in item.tags
                          if any(a.builder == t.value for a in flow.artifacts)),
                         item.tags[0].value if item.tags else item.dockerfile)
            name = _unique("builder" if single else _stage_name_for(image), taken)
            builders.append(_Builder(image, name, item, bdf, bdf.stages[: upto + 1],
                                     item.cmd.loc, "dist" if single else f"{name}-dist"))
        else:
            image, loc = item
            name = _unique("builder" if single else _stage_name_for(image), taken)
            builders.append(_Builder(image, name, None, None, (), loc,
                                     "dist" if single else f"{name}-dist"))
    return builders


def _plan_copies(
    flow: Flow, rdf: Dockerfile, files: Collection[str], by_image: Mapping[str, _Builder],
    via_dist: dict[str, list[Artifact]],
) -> list[tuple[Instruction, list[str], list[_Move]]]:
    """For each final-stage COPY that reads extracted files: the context sources it keeps and
    the `COPY --from` moves that replace the rest. Fills `via_dist` with the artifacts that must
    come through a replay stage."""
    # Bind-mounted source trees are matched apart: only the paths the build created count.
    trees = [a for a in flow.artifacts if a.how == "mount" and in_project(a.host, files)]
    used = [a for a in flow.artifacts if a not in trees]

    def move(a: Artifact, path: str, dest: str, trailing: str = "",
             direct: bool | None = None) -> _Move:
        """`path` (project-relative, at or under what `a` put on the host) as a COPY source:
        from the builder where it is the same file, else from the replay stage."""
        if a.direct if direct is None else direct:
            inner = posixpath.relpath(path, a.host)
            src = a.src.rstrip("/") if inner == "." else posixpath.join(a.src, inner)
            return _Move(by_image[a.builder], src + trailing, dest, True)
        via_dist.setdefault(a.builder, []).append(a)
        return _Move(by_image[a.builder], posixpath.join(DIST, path) + trailing, dest, False)

    out: list[tuple[Instruction, list[str], list[_Move]]] = []
    for _stage, ins, sources in copy_sources(rdf, flow.runtime.context, flow.runtime.staged):
        dest = ins.args[-1]
        keep: list[str] = []
        moves: list[_Move] = []
        for raw, src in zip(ins.args[:-1], sources, strict=True):
            bare = src.rstrip("/")
            slash = "/" if src.endswith("/") else ""
            tree = next((a for a in trees if reads_artifact(src, a, files)), None)
            if tree is not None and not any(_covers(a.host, src) or _covers(src, a.host)
                                            for a in used):
                moves.append(move(tree, bare, dest, slash))
                continue
            exact = [a for a in used if a.host == bare]
            inside = [a for a in used if a.host != bare and _covers(a.host, src)]
            holds = [a for a in used if a.host != bare and _covers(src, a.host) and src != "."]
            if ins.keyword == "ADD" and (exact or inside) and src.endswith(_ARCHIVE):
                raise Unsupported(ins.loc, f"ADD unpacks the extracted archive {src}; a stage "
                                           "cannot feed ADD")
            if exact:
                moves.append(move(exact[0], bare, dest, slash))
            elif inside:
                a = inside[0]
                # Under an artifact that is "." (everything), only a mount maps path for path.
                moves.append(move(a, bare, dest, slash,
                                  a.direct and (a.how == "mount" or a.host != ".")))
            elif holds and not any(c in src for c in "*?["):
                if any(f.startswith(bare + "/") and not any(_covers(h.host, f) for h in used)
                       for f in files):
                    # Context files beside the artifacts: keep copying them from the context.
                    keep.append(raw)
                    moves.extend(move(a, a.host, posixpath.join(dest, posixpath.relpath(
                        a.host, bare))) for a in holds)
                else:
                    for image in dict.fromkeys(a.builder for a in holds):
                        via_dist.setdefault(image, []).extend(a for a in holds
                                                              if a.builder == image)
                        moves.append(_Move(by_image[image], posixpath.join(DIST, src), dest,
                                           False))
            elif src == "." and used:
                keep.append(raw)
                moves.extend(move(a, a.host, posixpath.join(dest, a.host)) for a in used)
            else:
                keep.append(raw)
        if not moves:
            continue
        if len(sources) > 1 and not dest.endswith("/"):
            raise Unsupported(ins.loc, "COPY with several sources needs a destination ending "
                                       "in /")
        out.append((ins, keep, moves))
    return out


def _builder_blocks(builders: Sequence[_Builder], rdf: Dockerfile, new_ctx: str,
                    taken: set[str], explain: list[str],
                    settings: Settings) -> tuple[list[str], list[str]]:
    """Global ARG lines to add, and the text of each builder's stages, spliced from its file."""
    blocks: list[str] = []
    header_lines: list[str] = []
    rheader = {_arg_name(i): i.text for i in rdf.header}
    for b in builders:
        if b.run is not None:
            blocks.append(_run_block(b, builders, new_ctx, settings.buildkit))
            explain.append(f"{b.loc}: stage {b.name} from the container that ran {b.run.base}"
                           + "".join(f"; ignored {x}" for x in b.run.ignored))
            continue
        if b.df is None or b.build is None:
            blocks.append(render.stage_from(b.image, b.name))
            continue
        bdf, build = b.df, b.build
        if bdf.escape != rdf.escape:
            raise Unsupported(Loc(bdf.path, 1), f"escape character {bdf.escape!r} differs from "
                                                f"{rdf.path}'s {rdf.escape!r}")
        for h in bdf.header:
            key = _arg_name(h)
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
        platform = _option(build.options, "--platform")
        for st in b.stages:
            start = _leading_comments_start(bdf.text, st.from_)
            edits = [Edit(st.from_.span, _rewrite_from(st.from_, names.get(st.base.lower()),
                                                       names[str(st.index)], platform) + "\n")]
            for ins in st.body:
                if ins.keyword not in ("COPY", "ADD"):
                    continue
                ref = ins.flag("from")
                if ref is not None and ref.lower() in names:
                    flags = [f"--from={names[ref.lower()]}" if f.startswith("--from=") else f
                             for f in ins.flags]
                    edits.append(Edit(ins.span, _copy_text(ins, flags, ins.args) + "\n"))
                elif ref is None and build.context != new_ctx and len(ins.args) >= 2 and \
                        not any(a.startswith("<<") for a in ins.args):
                    srcs = [_relative_source(x, build.context, new_ctx) for x in ins.args[:-1]]
                    edits.append(Edit(ins.span, _copy_text(ins, ins.flags,
                                                           [*srcs, ins.args[-1]]) + "\n"))
            shifted = [Edit(Span(e.span.start - start, e.span.end - start), e.text) for e in edits]
            blocks.append(apply(bdf.text[start : st.end], shifted).rstrip("\n"))
        explain.append(f"{b.loc}: stage {b.name} from {bdf.path}")
    return header_lines, blocks


def _run_block(b: _Builder, builders: Sequence[_Builder], new_ctx: str, buildkit: bool) -> str:
    run = b.run
    assert run is not None
    base = next((x.name for x in builders if x.run is None and (x.image == run.base or (
        x.build is not None and any(t.value == run.base for t in x.build.tags)))), run.base)
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


def _ignored_by_context(builders: Sequence[_Builder], new_ctx: str,
                        ignores: Mapping[str, str], files: Collection[str]) -> list[Problem]:
    """A bind mount showed the build every file; a COPY leaves out what .dockerignore names."""
    text = ignores.get(posixpath.normpath(posixpath.join(new_ctx, ".dockerignore")))
    runs = [b.run for b in builders if b.run is not None and b.run.copies]
    if not text or not runs:
        return []
    from docker.utils.build import PatternMatcher

    patterns = [line.strip() for line in text.splitlines()
                if line.strip() and not line.strip().startswith("#")]
    matcher = PatternMatcher(patterns)
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


def _runtime_reference_edits(rdf: Dockerfile, runtime: BuildOp, new_ctx: str, inserted: int,
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
                edits.append(Edit(ins.span, _copy_text(ins, flags, ins.args) + "\n"))
                touched.add(ins.span)
    if runtime.context != new_ctx:
        for _stage, ins, _sources in copy_sources(rdf, runtime.context, runtime.staged):
            if ins.span in touched:
                continue
            srcs = [_relative_source(s, runtime.context, new_ctx, runtime.staged)
                    for s in ins.args[:-1]]
            edits.append(Edit(ins.span, _copy_text(ins, ins.flags, [*srcs, ins.args[-1]]) + "\n"))
    return edits


def _option(options: Sequence[Word], name: str) -> str | None:
    """The value of a build option kept in `BuildOp.options` (`--platform x`, `--platform=x`)."""
    for i, w in enumerate(options):
        if w.value == name and i + 1 < len(options):
            return options[i + 1].value
        if w.value.startswith(name + "="):
            return w.value.split("=", 1)[1]
    return None


# Builder build options that only change how the build runs, not what it may do.
_HARMLESS = {"--no-cache", "--pull", "-q", "--quiet", "--rm", "--force-rm", "--progress",
             "--iidfile", "--platform", "--compress", "--squash", "--load"}


def _arg_name(ins: Instruction) -> str:
    body = ins.text.split(None, 1)[1] if " " in ins.text.strip() else ""
    return body.split("=", 1)[0].strip()


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
    runtime_stage_args = {_arg_name(i) for st in rdf.stages for i in st.body
                          if i.keyword == "ARG"} | {_arg_name(i) for i in rdf.header}
    for k, w, text, loc in _builder_args(builders):
        if w is not None and any(w.span == rw.span for _, rw in rt.build_args):
            continue  # the same words (a shared function): already on the final build
        if k in runtime_args:
            if w is None or runtime_args[k].value != w.value:
                raise Unsupported(loc, f"build arg {k} has different values for the builder "
                                       f"and the final image ({cmd.loc})")
            continue
        if k not in PROXY_ARGS and k in runtime_stage_args:
            raise Unsupported(loc, f"build arg {k} given to the builder would also reach ARG "
                                   f"{k} in {rdf.path}")
        if text not in existing:
            insert.append(text)
            existing.add(text)
    if any(o.value == "--no-cache" for o in rt.options) and any(b.build for b in builders):
        warnings.append(warning(cmd.loc, "--no-cache on the final build now also rebuilds the "
                                         "builder stages (the legacy builder build used the "
                                         "cache)"))
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
                                               f"build ({cmd.loc}): add it there if the builder "
                                               "stage needs it"))
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
        dockerfile_arg = posixpath.relpath(rdf.path, _rel_cwd(cmd))
        if not rt.dockerfile_given:
            at = words[build_word].span.end
            edits.append(Edit(Span(at, at), " -f " + dockerfile_arg))
        elif rt.staged and rt.dockerfile_word is not None:
            edits.append(Edit(rt.dockerfile_word.span, dockerfile_arg))
    for op in flow.keep_builder_tags:
        builder = next(x for x in builders if x.build is op)
        opts = [f"-t {t.raw}" for t in op.tags] + [f"--build-arg {w.raw}"
                                                   for _, w in op.build_args]
        opts.append("-f " + posixpath.relpath(rdf.path, _rel_cwd(op.cmd)))
        line = render.target_build(op.cmd.argv[0].raw, builder.name, opts,
                                   posixpath.relpath(new_ctx, _rel_cwd(op.cmd)))
        edits.append(Edit(op.cmd.span, line))
    return apply(script.text, edits)


def _builder_args(builders: Sequence[_Builder]) -> list[tuple[str, Word | None, str, Loc]]:
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
                    out.append((k, value, f"--build-arg {k}={value.raw}", b.loc))
    return out


def _rel_cwd(cmd: Command) -> str:
    from migrator.interpret import project_rel

    return project_rel(cmd.cwd) or "."
