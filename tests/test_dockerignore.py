""".dockerignore matching: docker-py's own matcher, loaded without the Docker SDK's client."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PATTERNS = [".cache", "*.go", "!main.go", "docs/**", "**/*.tmp", "build/", "!build/keep",
            "vendor/*/testdata", "/abs", "a?c", "[ab]x"]
PATHS = ["main.go", "lib.go", "cmd/tool.go", ".cache/x", "docs/a/b.md", "src/x.tmp", "x.tmp",
         "build/out", "build/keep", "vendor/m/testdata/f", "abs", "abc", "ax", "cx", "README.md"]


def _in_fresh_python(code: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def test_the_matcher_loads_without_the_sdk_client() -> None:
    """Matching imports neither `docker` nor requests (the ~130 ms a fleet worker paid)."""
    got = _in_fresh_python(
        "import json, sys\n"
        "from migrator.dockerignore import matcher\n"
        f"m = matcher({PATTERNS!r})\n"
        f"hits = [p for p in {PATHS!r} if m.matches(p)]\n"
        "print(json.dumps({'hits': hits, 'loaded': sorted(n for n in ('docker', 'requests',"
        " 'urllib3', 'ssl') if n in sys.modules)}))\n")
    assert got["loaded"] == []
    assert got["hits"], "the patterns match some of the paths"


@pytest.mark.parametrize("patterns", [PATTERNS, ["*", "!src"], ["**"], ["!x", "x/y"]])
def test_it_matches_as_docker_py_itself_does(patterns: list[str]) -> None:
    from docker.utils.build import PatternMatcher

    from migrator.dockerignore import matcher

    ours, theirs = matcher(patterns), PatternMatcher(patterns)
    assert [p for p in PATHS if ours.matches(p)] == [p for p in PATHS if theirs.matches(p)]
    assert type(ours).__module__ != type(theirs).__module__  # really the stand-in's copy
