"""Settings for one run, built once by the CLI and passed down frozen."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    keep_legacy: bool = False  # keep the builder Dockerfiles the migration makes dead
    make_target: str | None = None  # the Makefile target that builds the final image
    buildkit: bool = False  # may emit BuildKit-only syntax (cache mounts)
