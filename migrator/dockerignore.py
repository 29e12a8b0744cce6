"""`.dockerignore` matching with docker-py's `PatternMatcher`, without importing the Docker SDK.

docker-py keeps the matcher that follows Docker's rules in docker/utils/build.py, beside
docker/utils/fnmatch.py. Importing it the ordinary way runs docker/__init__.py, which imports
the whole client: requests, urllib3, ssl, http, email and every codec charset_normalizer lists,
about 130 ms, as long as analysing some 60 projects, and paid again by every fleet worker that
meets one bind-mounted build with a .dockerignore. The two files need only docker/constants.py
and docker/version.py, so they are loaded unchanged as submodules of two empty stand-in packages
under a private name: nothing called `docker` enters sys.modules, and the SDK's own import is
used when the stand-ins cannot load them (a docker-py laid out differently).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
import types
from collections.abc import Sequence
from typing import Any

_ALIAS = "_migrator_docker_sdk"  # stand-in for the `docker` package: its files, not its __init__


def matcher(patterns: Sequence[str]) -> Any:
    """A `PatternMatcher` for these .dockerignore lines; `.matches(path)` is true for an
    ignored path (relative to the context, `/`-separated)."""
    return _matcher_class()(list(patterns))


@functools.cache
def _matcher_class() -> Any:
    try:
        return _light().PatternMatcher
    except ImportError:
        from docker.utils.build import PatternMatcher

        return PatternMatcher


def _light() -> types.ModuleType:
    spec = importlib.util.find_spec("docker")  # a top-level name: found, not imported
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("docker-py is not a package here")
    root = next(iter(spec.submodule_search_locations))
    names = (_ALIAS, f"{_ALIAS}.utils")
    for name, where in zip(names, (root, os.path.join(root, "utils")), strict=True):
        package = types.ModuleType(name)
        package.__path__ = [where]
        package.__package__ = name
        sys.modules[name] = package
    try:
        return importlib.import_module(f"{_ALIAS}.utils.build")
    except Exception as exc:  # its file now wants more than the stand-ins give
        for name in [m for m in sys.modules if m == _ALIAS or m.startswith(_ALIAS + ".")]:
            del sys.modules[name]
        raise ImportError(f"docker/utils/build.py does not load alone: {exc}") from exc
