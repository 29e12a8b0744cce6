"""One stage per builder image, and the names the new Dockerfile gives them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from migrator.infer import Flow, RunStage
from migrator.model import BuildOp, Dockerfile, Loc, Stage, Unsupported
from migrator.plan.text import user_in


def stage_name_for(image: str) -> str:
    repo = image.rsplit("/", 1)[-1]
    name, _, tag = repo.partition(":")
    name = name.partition("@")[0]
    if tag and tag != "latest" and not tag[:1].isdigit() and "$" not in tag:
        name = f"{name}-{tag}"
    name = re.sub(r"[^a-z0-9_.-]+", "-", name.lower()).strip("-._")
    if not name or not name[0].isalpha():
        name = f"stage-{name}" if name else "stage"
    return name


def unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate.lower())
    return candidate


@dataclass(frozen=True)
class Builder:
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
        return self.build is not None and not user_in(self.stages)

    def makes(self, image: str) -> bool:
        """This builder is the image the script calls `image` (by its key or one of its tags)."""
        from migrator.infer.machine import image_ref

        ref = image_ref(image)
        return image_ref(self.image) == ref or (
            self.build is not None and any(image_ref(t.value) == ref for t in self.build.tags))


def name_builders(flow: Flow, dockerfiles: Mapping[str, Dockerfile],
                  taken: set[str]) -> list[Builder]:
    """One stage per builder image: `builder` when there is one, else named after the image;
    a container that built something is a stage after its image's, named after the container."""
    items: list[BuildOp | tuple[str, Loc] | RunStage] = [*flow.builders, *flow.stock, *flow.runs]
    single = len(items) == 1
    builders: list[Builder] = []
    for item in items:
        if isinstance(item, RunStage):
            builders.append(_run_builder(item, builders, single, taken))
        elif isinstance(item, BuildOp):
            builders.append(_built_builder(item, flow, dockerfiles, single, taken))
        else:
            image, loc = item
            name = unique("builder" if single else stage_name_for(image), taken)
            builders.append(Builder(image, name, None, None, (), loc,
                                    "dist" if single else f"{name}-dist"))
    return builders


def _run_builder(item: RunStage, builders: list[Builder], single: bool,
                 taken: set[str]) -> Builder:
    base = next((b for b in builders if b.makes(item.base)), None)
    hint = "builder" if single else stage_name_for(item.name_hint)
    name = unique(hint, taken)
    return Builder(item.key, name, None, None, base.stages if base else (), item.loc,
                   f"{name}-dist" if not single else "dist", item,
                   base is not None and base.runs_as_root)


def _built_builder(item: BuildOp, flow: Flow, dockerfiles: Mapping[str, Dockerfile],
                   single: bool, taken: set[str]) -> Builder:
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
    name = unique("builder" if single else stage_name_for(image), taken)
    return Builder(image, name, item, bdf, bdf.stages[: upto + 1], item.cmd.loc,
                   "dist" if single else f"{name}-dist")


_STAGE_NAME = re.compile(r"[a-z][a-z0-9_.-]*")


def named_as_from(builders: list[Builder], flow: Flow, rdf: Dockerfile) -> list[Builder]:
    """A builder the runtime Dockerfile starts `FROM` by its local tag (`FROM app_builder`) is
    named after that tag, when it is a valid stage name: the FROM line stays as it is."""
    names = {raw: image for path, raw, image in flow.chained if path == rdf.path
             and _STAGE_NAME.fullmatch(raw) and rdf.stage(raw) is None}
    out = []
    for b in builders:
        raw = next((r for r, image in names.items() if b.run is None and b.makes(image)), None)
        out.append(b if raw is None else replace(b, name=raw, dist=f"{raw}-dist"))
    return out
