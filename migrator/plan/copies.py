"""Which final-stage COPY sources read extracted files, and the `COPY --from` each becomes."""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from migrator.infer import DIST, Flow, _covers, in_project, reads_artifact
from migrator.model import Artifact, BuildOp, Dockerfile, Instruction, Unsupported
from migrator.plan.naming import Builder
from migrator.sources import copy_sources

_ARCHIVE = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".gz", ".bz2", ".xz")


@dataclass(frozen=True)
class Move:
    """One `COPY --from` the final stage gets instead of reading an extracted file."""

    builder: Builder
    src: str
    dest: str
    direct: bool  # from the builder stage itself (else from its replay stage)


@dataclass
class _Copies:
    """The planner for one runtime Dockerfile: the artifacts, and those needing a replay stage."""

    files: Collection[str]
    by_image: Mapping[str, Builder]
    trees: list[Artifact]  # bind-mounted source trees: only the paths the build created count
    used: list[Artifact]
    via_dist: dict[str, list[Artifact]]

    def move(self, a: Artifact, path: str, dest: str, trailing: str = "",
             direct: bool | None = None) -> Move:
        """`path` (project-relative, at or under what `a` put on the host) as a COPY source:
        from the builder where it is the same file, else from the replay stage."""
        if a.direct if direct is None else direct:
            inner = posixpath.relpath(path, a.host)
            src = a.src.rstrip("/") if inner == "." else posixpath.join(a.src, inner)
            return Move(self.by_image[a.builder], src + trailing, dest, True)
        self.via_dist.setdefault(a.builder, []).append(a)
        return Move(self.by_image[a.builder], posixpath.join(DIST, path) + trailing, dest, False)

    def source(self, ins: Instruction, raw: str, src: str, dest: str,
               keep: list[str], moves: list[Move]) -> None:
        """Plan one COPY source: keep it from the context, or move it from a stage, or both."""
        bare = src.rstrip("/")
        slash = "/" if src.endswith("/") else ""
        used = self.used
        tree = next((a for a in self.trees if reads_artifact(src, a, self.files)), None)
        if tree is not None and not any(_covers(a.host, src) or _covers(src, a.host)
                                        for a in used):
            moves.append(self.move(tree, bare, dest, slash))
            return
        exact = [a for a in used if a.host == bare]
        inside = [a for a in used if a.host != bare and _covers(a.host, src)]
        holds = [a for a in used if a.host != bare and _covers(src, a.host) and src != "."]
        if ins.keyword == "ADD" and exact and exact[0].members:
            moves.extend(self.unpacked(exact[0], dest))
            return
        if ins.keyword == "ADD" and (exact or inside) and src.endswith(_ARCHIVE):
            raise Unsupported(ins.loc, f"ADD unpacks the extracted archive {src}; a stage "
                                       "cannot feed ADD")
        if exact:
            moves.append(self.move(exact[0], bare, dest, slash))
        elif inside:
            a = inside[0]
            # Under an artifact that is "." (everything), only a mount maps path for path.
            moves.append(self.move(a, bare, dest, slash,
                                   a.direct and (a.how == "mount" or a.host != ".")))
        elif holds and not any(c in src for c in "*?["):
            self.holding(raw, src, dest, holds, keep, moves)
        elif src == "." and used:
            keep.append(raw)
            moves.extend(self.move(a, a.host, posixpath.join(dest, a.host)) for a in used)
        else:
            keep.append(raw)

    def unpacked(self, a: Artifact, dest: str) -> list[Move]:
        """`ADD app.tar.gz dir/` of an archive of builder paths: each member straight from the
        builder to where the unpacking put it (a file name keeps `dir/`, a directory is named:
        `COPY` copies a directory's contents)."""
        moves = []
        for member, src in a.members:
            inner = member.strip("/")
            if any(c in inner for c in "*?[") or ("/" not in inner and "." in inner[1:]):
                to = posixpath.join(dest, posixpath.dirname(inner)).rstrip("/") + "/"
            else:
                to = posixpath.join(dest, inner)
            moves.append(Move(self.by_image[a.builder], src, to, True))
        return moves

    def holding(self, raw: str, src: str, dest: str, holds: list[Artifact],
                keep: list[str], moves: list[Move]) -> None:
        """A source directory that holds artifacts (and maybe context files beside them)."""
        bare = src.rstrip("/")
        if any(f.startswith(bare + "/") and not any(_covers(h.host, f) for h in self.used)
               for f in self.files):
            # Context files beside the artifacts: keep copying them from the context.
            keep.append(raw)
            moves.extend(self.move(a, a.host, posixpath.join(dest, posixpath.relpath(
                a.host, bare))) for a in holds)
            return
        if all(a.direct and "/" not in posixpath.relpath(a.host, bare) and
               posixpath.basename(posixpath.dirname(a.src)) in ("bin", "sbin") for a in holds):
            # Programs taken one by one into a bin directory: each straight from the builder
            # (the directory held nothing else; a program is a file, so `dest/` names it).
            moves.extend(Move(self.by_image[a.builder], a.src, dest.rstrip("/") + "/", True)
                         for a in holds)
            return
        for image in dict.fromkeys(a.builder for a in holds):
            self.via_dist.setdefault(image, []).extend(a for a in holds if a.builder == image)
            moves.append(Move(self.by_image[image], posixpath.join(DIST, src), dest, False))


def plan_copies(
    flow: Flow, rt: BuildOp, rdf: Dockerfile, files: Collection[str],
    by_image: Mapping[str, Builder], via_dist: dict[str, list[Artifact]],
) -> list[tuple[Instruction, list[str], list[Move]]]:
    """For each final-stage COPY that reads extracted files: the context sources it keeps and
    the `COPY --from` moves that replace the rest. Fills `via_dist` with the artifacts that must
    come through a replay stage."""
    trees = [a for a in flow.artifacts if a.how == "mount" and in_project(a.host, files)]
    used = [a for a in flow.artifacts if a not in trees]
    planner = _Copies(files, by_image, trees, used, via_dist)
    out: list[tuple[Instruction, list[str], list[Move]]] = []
    for _stage, ins, sources in copy_sources(rdf, rt.context, rt.staged):
        dest = ins.args[-1]
        keep: list[str] = []
        moves: list[Move] = []
        for raw, src in zip(ins.args[:-1], sources, strict=True):
            planner.source(ins, raw, src, dest, keep, moves)
        if not moves:
            continue
        if len(sources) > 1 and not dest.endswith("/"):
            raise Unsupported(ins.loc, "COPY with several sources needs a destination ending "
                                       "in /")
        out.append((ins, keep, moves))
    return out
