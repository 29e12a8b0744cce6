"""Fixtures shared by the whole suite: a client for the private test engine.

Engine tests run against the engine that tests/engine/setup.sh starts, never against the
machine's default daemon, so they cannot touch a developer's own images or containers.

- ``docker``: a :class:`DockerClient` for that engine (session-wide, checked once).
- ``builder`` / ``builder_client``: the same engine, once with BuildKit and once with the classic
  builder; a test that takes either runs under both.

Where the engine cannot be reached a test that needs it is skipped with the reason, except under
CI (``CI=true``), where it fails: an engine test must never pass by not running.
"""

from __future__ import annotations

import os

import pytest

from migrator.verify.engine import DockerClient, engine_available

DEFAULT_DOCKER_HOST = "unix:///run/migrator-test/docker.sock"
# Debian's docker.io client (20.10), which has BuildKit built in; the standalone client that
# comes first on PATH here has no buildx and cannot build with DOCKER_BUILDKIT=1.
DEFAULT_DOCKER_BINARY = "/usr/bin/docker"

BUILDERS = {"buildkit": "1", "classic": "0"}


@pytest.fixture(scope="session")
def docker() -> DockerClient:
    """The private test engine (override: MIGRATOR_TEST_DOCKER_HOST, MIGRATOR_TEST_DOCKER)."""
    client = DockerClient(
        binary=os.environ.get("MIGRATOR_TEST_DOCKER", DEFAULT_DOCKER_BINARY),
        env={"DOCKER_HOST": os.environ.get("MIGRATOR_TEST_DOCKER_HOST", DEFAULT_DOCKER_HOST)},
    )
    reason = engine_available(client)
    if reason is not None:
        message = f"test engine not reachable (start it with tests/engine/setup.sh): {reason}"
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return client


@pytest.fixture(params=sorted(BUILDERS))
def builder(request: pytest.FixtureRequest) -> str:
    """Which builder a test runs under: "buildkit" or "classic"."""
    name: str = request.param
    return name


@pytest.fixture
def builder_client(docker: DockerClient, builder: str) -> DockerClient:
    """The test engine with ``docker build`` going through ``builder``."""
    return docker.with_env(DOCKER_BUILDKIT=BUILDERS[builder])
