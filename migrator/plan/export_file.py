"""An extraction-only flow whose builders are containers (`docker run -v "$PWD":/src golang go
build`), stock images or several builds: a new Dockerfile holds their stages and the export
stage, and the container steps become one `docker build --target export --output ...`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace

from migrator import render
from migrator.infer import DIST, Flow, in_project
from migrator.model import Command, Dockerfile, Problem, Script, Span, Unsupported, warning
from migrator.plan.build import builder_args, rel_cwd
from migrator.plan.keep import kept_builders
from migrator.plan.naming import Builder, name_builders, unique
from migrator.plan.result import FileChange, Plan
from migrator.plan.scripts import ScriptEdits, script_changes
from migrator.plan.stages import builder_blocks, ignored_by_context
from migrator.plan.text import user_in
from migrator.settings import Settings
from migrator.splice import Edit


def _new_path(files: Collection[str]) -> str:
    for name in ("Dockerfile", "Dockerfile.export", "export.Dockerfile"):
        if name not in files:
            return name
    raise Unsupported(None, "Dockerfile, Dockerfile.export and export.Dockerfile all exist: "
                            "no name left for the export Dockerfile")


def _copies(flow: Flow, builders: list[Builder], name: str, dest_dir: str,
            escape: str, explain: list[str]) -> tuple[list[str], list[str]]:
    """Replay stages where modes must change, and the export stage's COPY lines."""
    by_image = {b.image: b for b in builders}
    for b in builders:
        for t in b.build.tags if b.build else ():
            by_image.setdefault(t.value, b)
    blocks: list[str] = []
    copies: list[str] = []
    replayed: set[str] = set()
    for a in flow.artifacts:
        b = by_image[a.builder]
        to = "/" + posixpath.relpath(a.host, dest_dir) if a.host != dest_dir else "/"
        to = "/" if to == "/." else to
        if a.direct:
            stage, src = b.name, a.src or "/"
        else:
            stage, src = b.dist, posixpath.join(DIST, a.host)
            if b.dist not in replayed:
                replayed.add(b.dist)
                steps = [s for x in flow.artifacts if by_image[x.builder] is b and not x.direct
                         for s in x.replay]
                blocks.append(render.dist_stage(b.name, b.dist, b.build is not None and
                                                user_in(b.stages), list(dict.fromkeys(steps)),
                                                escape))
        copies.append(render.copy_from("COPY", stage, [], [src], to, False))
        explain.append(f"{a.loc}: {a.how} {a.builder}:{a.src or '(output)'} -> {a.host}: "
                       f"COPY --from={stage} {src} {to} in stage {name}")
    return blocks, copies


def _anchor(flow: Flow) -> Command:
    """The dead step the export build takes the place of: the last one that extracted."""
    made = {a.loc for a in flow.artifacts}
    return next((c for c in reversed(flow.dead) if c.loc in made), flow.dead[-1])


def plan_export_file(flow: Flow, script: Script, dockerfiles: Mapping[str, Dockerfile],
                     files: Collection[str], settings: Settings, texts: Mapping[str, str],
                     read: Callable[[str], str | None], warnings: list[Problem]) -> Plan:
    trees = [a for a in flow.artifacts if a.how == "mount" and in_project(a.host, files)]
    if trees and len(trees) < len(flow.artifacts):
        # Sources mounted beside an output directory: the outputs are what is exported.
        flow = replace(flow, artifacts=tuple(a for a in flow.artifacts if a not in trees))
    for a in flow.artifacts if trees else ():
        if a in trees:
            raise Unsupported(a.loc, f"the container wrote into the bind-mounted project tree "
                                     f"({a.host}); which files are its outputs is not known, so "
                                     "no export stage can name them (mount an output directory, "
                                     "or --builder classic keeps the legacy steps)")
    path = _new_path(files)
    empty = Dockerfile(path, "", "\\", None, (), ())
    taken: set[str] = set()
    builders = name_builders(flow, dockerfiles, taken)
    explain: list[str] = []
    header, blocks = builder_blocks(builders, empty, ".", taken, explain, settings, [])
    warnings.extend(ignored_by_context(builders, ".", {}, files))
    name = unique("export", taken)
    dest_dir = posixpath.commonpath([posixpath.dirname(a.host) for a in flow.artifacts]) or "."
    dist, copies = _copies(flow, builders, name, dest_dir, "\\", explain)
    blocks = [*blocks, *dist, render.export_stage(str(builders[0].loc), name, copies)]
    syntax = next((b.df.syntax for b in builders if b.df is not None and b.df.syntax), None)
    text = (f"# syntax={syntax}\n" if syntax else "") + render.stages(
        ["\n".join(header), *blocks] if header else blocks).rstrip("\n") + "\n"
    changes = [FileChange(path, None, text)]
    anchor = _anchor(flow)
    cwd = rel_cwd(anchor)
    dest = posixpath.relpath(dest_dir, cwd)
    opts = [f"--output type=local,dest={dest}", "-f " + posixpath.relpath(path, cwd),
            *dict.fromkeys(text for _k, _w, text, _loc in builder_args(builders))]
    line = "DOCKER_BUILDKIT=1 " + render.target_build(anchor.argv[0].raw, name, opts,
                                                      posixpath.relpath(".", cwd))
    dead = tuple(c for c in flow.dead if c is not anchor)
    changes.extend(script_changes(script, texts, ScriptEdits(
        dead, ((anchor, Edit(Span(anchor.span.start, anchor.span.end), line)),))))
    if not settings.keep_legacy:
        old = [b.build.dockerfile for b in builders if b.build is not None]
        keep, why = kept_builders(old, files, {c.path: c.new for c in changes if c.new}, read,
                                  set(dockerfiles))
        warnings.extend(why)
        changes.extend(FileChange(df, dockerfiles[df].text, None) for df in dict.fromkeys(old)
                       if df not in keep)
    explain.append(f"{anchor.loc}: builds stage {name} of {path} with --output "
                   f"type=local,dest={dest}")
    warnings.append(warning(anchor.loc, "the rewritten build uses `docker build --output`, "
                                        "which needs BuildKit (--builder classic keeps the "
                                        "legacy steps)"))
    return Plan(tuple(changes), tuple(explain), tuple(warnings))
