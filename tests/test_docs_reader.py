"""Builds that only documentation describes, read in place: the view keeps the document's
offsets and lines and holds only its docker commands."""

from __future__ import annotations

from migrator.readers.docs import docs_view, read_docs

DOCKERFILE = """\
# Build the binary first:
#
#   docker build -t app-build -f Dockerfile.build . && \\
#     docker run --rm app-build cat /app > app
#
# This line mentions docker but runs nothing.
FROM alpine
RUN echo docker cp not-a-command
"""

README = """\
Build it:

```sh
$ docker build -t app .
make test
```

Not code: docker cp x:/a b
"""


def test_view_keeps_offsets_and_only_docker_commands() -> None:
    """Same length and lines as the document; only the commented docker commands (with their
    continuation) are left, never prose or instructions."""
    view = docs_view("Dockerfile.build", DOCKERFILE)
    assert len(view) == len(DOCKERFILE)
    assert view.count("\n") == DOCKERFILE.count("\n")
    kept = [line.strip() for line in view.splitlines() if line.strip()]
    assert kept == ["docker build -t app-build -f Dockerfile.build . && \\",
                    "docker run --rm app-build cat /app > app"]


def test_readme_code_blocks_and_prompts() -> None:
    """A README's fenced code lines that run docker, without their `$ ` prompt, at their line."""
    script = read_docs("README.md", README)
    assert [(c.loc.line, c.words()[:2]) for c in script.commands] == [(4, ("docker", "build"))]
