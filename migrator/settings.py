"""Settings for one run, built once by the CLI and passed down frozen."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    keep_legacy: bool = False  # keep the builder Dockerfiles the migration makes dead
    buildkit: bool = False  # may emit BuildKit-only syntax (cache mounts)
    builder: str | None = None  # "classic": the project builds without BuildKit (no --output)
    # The build a user runs, as they would type it: "make container", "build.sh", "make -C
    # cluster-autoscaler build" (default: found). `--make-target T` is `--entry "make T"`.
    entry: str | None = None
    overrides: tuple[tuple[str, str], ...] = ()  # `--set NAME=VALUE`, as `make NAME=VALUE` gives

    @property
    def make_target(self) -> str | None:
        """The make goal `entry` names, if it is a bare `make TARGET`."""
        parts = (self.entry or "").split()
        return parts[1] if len(parts) == 2 and parts[0] == "make" else None
