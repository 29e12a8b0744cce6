"""Render the pieces migrator writes through the Jinja2 templates in `templates/`."""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _templates_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "templates"  # inside an installed wheel
    return packaged if packaged.is_dir() else here.parent / "templates"


def _cache_root() -> Path:
    base = os.environ.get("MIGRATOR_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "migrator")
    return Path(base)


def _compiled_dir(env: Any, templates: Path) -> Path | None:
    """The templates compiled to Python modules once, in a cache keyed by their text and the
    Jinja and Python versions; None when no cache can be written (then Jinja compiles)."""
    import hashlib
    import sys

    import jinja2

    key = hashlib.sha256(f"{jinja2.__version__} {sys.version}".encode())
    for t in sorted(templates.glob("*.j2")):
        key.update(t.name.encode() + b"\0" + t.read_bytes() + b"\0")
    target = _cache_root() / f"templates-{key.hexdigest()[:20]}"
    if target.is_dir():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".templates-", dir=target.parent))
        env.compile_templates(str(tmp), zip=None, ignore_errors=False)
        os.replace(tmp, target)  # atomic: a racing run finds the whole directory or none
    except OSError:
        if not target.is_dir():
            return None
    return target


@functools.cache
def _env() -> Any:
    import jinja2

    options: dict[str, Any] = {
        "autoescape": False,  # Dockerfiles and shell, not HTML
        "keep_trailing_newline": True,
        "undefined": jinja2.StrictUndefined,
    }
    templates = _templates_dir()
    source = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), **options)
    compiled = _compiled_dir(source, templates)
    if compiled is None:
        return source
    return jinja2.Environment(loader=jinja2.ModuleLoader(str(compiled)), **options)


@functools.cache
def _module(name: str) -> Any:
    return _env().get_template(name).module


def stage_from(base: str, name: str) -> str:
    return str(_module("dockerfile.j2").stage_from(base, name))


def dist_stage(base: str, name: str, as_root: bool, commands: Sequence[str], escape: str) -> str:
    return str(_module("dockerfile.j2").dist_stage(base, name, as_root, list(commands), escape))


def copy_from(keyword: str, stage: str, flags: Sequence[str], sources: Sequence[str],
              dest: str, json_form: bool) -> str:
    paths = [*sources, dest]
    args = json.dumps(paths) if json_form or any(" " in p for p in paths) else " ".join(paths)
    return str(_module("dockerfile.j2").copy_from(keyword, stage, list(flags), args))


def stages(blocks: Sequence[str]) -> str:
    return str(_module("dockerfile.j2").stages(list(blocks)))


def build_options(options: Sequence[str]) -> str:
    return str(_module("script.j2").build_options(list(options)))


def target_build(docker: str, target: str, options: Sequence[str], context: str) -> str:
    return str(_module("script.j2").target_build(docker, target, list(options), context))


def run_stage(origin: str, base: str, name: str, args: Sequence[str], env: Sequence[str],
              workdir: str | None, copies: Sequence[str], mkdirs: Sequence[str],
              steps: Sequence[str]) -> str:
    return str(_module("dockerfile.j2").run_stage(origin, base, name, list(args), list(env),
                                                  workdir, list(copies), list(mkdirs),
                                                  list(steps))).rstrip("\n")


def export_stage(origin: str, name: str, copies: Sequence[str]) -> str:
    return str(_module("dockerfile.j2").export_stage(origin, name, list(copies))).rstrip("\n")


def test_stage(origin: str, base: str, name: str, line: str) -> str:
    return str(_module("dockerfile.j2").test_stage(origin, base, name, line))


def final_again(stage: str) -> str:
    return str(_module("dockerfile.j2").final_again(stage))
