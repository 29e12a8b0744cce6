"""An image built FROM another image of the same flow: joined into one Dockerfile when both
come from one directory by commands of their own (golden case flow-image-on-image), kept apart
otherwise."""

from __future__ import annotations

import shutil
from pathlib import Path

from migrator.pipeline import analyze
from migrator.settings import Settings

CASE = Path(__file__).resolve().parent / "cases" / "flow-image-on-image" / "input"


def _changes(p: Path) -> dict[str, str | None]:
    out = analyze(str(p), Settings())
    assert out.plan is not None, out.problems
    return {c.path: c.new for c in out.plan.changes}


def test_images_of_two_directories_keep_their_dockerfiles(tmp_path: Path) -> None:
    p = tmp_path / "p"
    shutil.copytree(CASE, p)
    (p / "agent").mkdir()
    (p / "docker" / "Dockerfile.agent").rename(p / "agent" / "Dockerfile")
    (p / "build.sh").write_text(
        "#!/bin/sh\nset -e\ndocker build -t example/builder -f Dockerfile.build .\n"
        'docker run --rm -v "$PWD/agent:/dist" example/builder cp /out/a /out/b /dist/\n'
        "cp agent/b docker/b\n"
        "docker build -t example/agent agent/\n"
        "docker build -t example/app -f docker/Dockerfile.app docker/\n")
    (p / "agent" / "Dockerfile").write_text("FROM alpine:3.18\nCOPY a /home/weave/\n")
    changes = _changes(p)
    assert changes["agent/Dockerfile"] is not None  # still there, migrated on its own
    app = changes["docker/Dockerfile.app"]
    assert app is not None and "FROM example/agent" in app
    # `cp agent/b docker/b` of an output goes with the extraction: a stage replays it
    assert "cp /migrator-dist/agent/b /migrator-dist/docker/b" in app
    assert "cp agent/b" not in (changes["build.sh"] or "")


def test_two_images_built_by_one_line_are_not_joined(tmp_path: Path) -> None:
    """A Makefile pattern rule builds both: one edit would serve both, so no --target."""
    p = tmp_path / "p"
    shutil.copytree(CASE, p)
    (p / "build.sh").unlink()
    (p / "Makefile").write_text(
        "all: docker/app.img\n\n"
        "docker/app.img: docker/agent.img\n\n"
        "docker/agent.img: docker/a\n\n"
        "docker/a:\n"
        "\tdocker build -t example/builder -f Dockerfile.build .\n"
        "\tdocker run --rm -v \"$(CURDIR)/docker:/dist\" example/builder cp /out/a /out/b /dist/\n"
        "\n"
        "docker/%.img: docker/Dockerfile.%\n"
        "\tdocker build -t example/$* -f $< docker/\n")
    changes = _changes(p)
    assert changes.get("docker/Dockerfile.agent")
    assert "--target agent" not in (changes.get("Makefile") or "")


def test_the_final_build_passes_the_base_images_build_args(tmp_path: Path) -> None:
    """The app build now builds the agent's stages too, so it gets the agent's --build-arg."""
    p = tmp_path / "p"
    shutil.copytree(CASE, p)
    script = (p / "build.sh").read_text()
    (p / "build.sh").write_text(script.replace("docker build -t example/agent",
                                               "docker build --build-arg FLAVOUR=slim "
                                               "-t example/agent"))
    new = _changes(p)["build.sh"]
    assert new is not None
    assert "docker build --build-arg FLAVOUR=slim -t example/app" in new
    assert "--target agent --build-arg FLAVOUR=slim -t example/agent" in new
