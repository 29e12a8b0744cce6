"""rewrite(): what the verification shim runs instead of each docker call a build script makes.

Pure: no engine and no processes. Each test starts a session (token "t") whose sandbox, the
project copy the script runs in, is the test's tmp_path, which is also the working directory
(build scripts name their Dockerfiles and contexts relative to it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.verify.shim import Refused, State, rewrite

LABEL = "migrator.verify=t"


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> State:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile.build").write_text("FROM golang:1.21\nRUN go build -o /app .\n")
    return State(token="t", sandbox=str(tmp_path))


def built(state: State) -> State:
    """The session after `docker build -t a/b:1 -f Dockerfile.build .`."""
    rewrite(state, ["build", "-t", "a/b:1", "-f", "Dockerfile.build", "."])
    return state


def created(state: State) -> State:
    """The session after that build and `docker create --name x a/b:1`."""
    rewrite(built(state), ["create", "--name", "x", "a/b:1"])
    return state


def test_build_tag_goes_into_the_private_namespace(state: State) -> None:
    """A tag the script builds becomes mv-<token>/<repo>:<tag>, is recorded, and the build
    writes its image id to a file the session knows."""
    new, sub = rewrite(state, ["build", "-t", "a/b:1", "-f", "Dockerfile.build", "."])
    assert sub == "build"
    assert new is not None
    assert new[0] == "build"
    assert new[new.index("-t") + 1] == "mv-t/a/b:1"
    assert "a/b:1" not in new
    assert new[new.index("-f") + 1] == "Dockerfile.build"
    assert new[-1] == "."
    assert state.images == {"a/b:1": "mv-t/a/b:1"}
    assert new[new.index("--iidfile") + 1] == state.image_ids[0]


def test_create_maps_the_image_and_the_container_name(state: State) -> None:
    """`create --name x a/b:1` after the build names the private image and a private container,
    labelled with the session."""
    new, sub = rewrite(built(state), ["create", "--name", "x", "a/b:1"])
    assert (new, sub) == (
        ["create", "--label", LABEL, "--name", "x-mv-t", "mv-t/a/b:1"],
        "create",
    )
    assert state.containers == {"x": "x-mv-t"}
    assert "x-mv-t" in state.created


def test_cp_maps_the_container(state: State) -> None:
    """`cp x:/app ./app` copies out of the session's container x, to the same host path."""
    new, _ = rewrite(created(state), ["cp", "x:/app", "./app"])
    assert new == ["cp", "x-mv-t:/app", "./app"]


def test_container_cp_is_cp(state: State) -> None:
    """`container cp` is mapped like `cp`."""
    new, _ = rewrite(created(state), ["container", "cp", "x:/app", "./app"])
    assert new == ["cp", "x-mv-t:/app", "./app"]


def test_rm_keeps_only_session_containers(state: State) -> None:
    """`rm -f x y` removes the session's x and leaves y, which the session did not create."""
    new, sub = rewrite(created(state), ["rm", "-f", "x", "y"])
    assert (new, sub) == (["rm", "-f", "x-mv-t"], "rm")


def test_rm_of_only_foreign_containers_does_nothing(state: State) -> None:
    """`rm -f y` of a container the session did not create is a no-op."""
    assert rewrite(created(state), ["rm", "-f", "y"]) == (None, "rm")


def test_stop_keeps_the_value_of_its_timeout_option(state: State) -> None:
    """`stop -t 1 x` stops the session's x with the same timeout (the 1 is not a container)."""
    new, _ = rewrite(created(state), ["stop", "-t", "1", "x"])
    assert new == ["stop", "-t", "1", "x-mv-t"]


def test_rmi_of_a_foreign_image_does_nothing(state: State) -> None:
    """`rmi golang:1.21` (a base image the session did not build) is a no-op."""
    assert rewrite(built(state), ["rmi", "golang:1.21"]) == (None, "rmi")


def test_rmi_of_a_session_image_removes_the_private_tag(state: State) -> None:
    """`rmi a/b:1` removes the session's private tag, not the script's name."""
    assert rewrite(built(state), ["rmi", "a/b:1"]) == (["rmi", "mv-t/a/b:1"], "rmi")


def test_push_is_a_recorded_no_op(state: State) -> None:
    """`push a/b:1` does nothing and is recorded as what would have been pushed."""
    assert rewrite(built(state), ["push", "a/b:1"]) == (None, "push")
    assert state.pushed == ["a/b:1"]


@pytest.mark.parametrize(
    "args", [["login", "-u", "x", "-p", "y"], ["login", "registry.example"], ["logout"]]
)
def test_login_and_logout_are_no_ops(state: State, args: list[str]) -> None:
    """`login`/`logout` do nothing: no registry credentials are used or stored."""
    new, _ = rewrite(state, args)
    assert new is None


def test_named_volume_goes_into_the_private_namespace(state: State) -> None:
    """`run -v cache:/c img` uses a session volume, recorded for removal."""
    new, _ = rewrite(state, ["run", "--rm", "-v", "cache:/c", "busybox:latest", "true"])
    assert new == ["run", "--label", LABEL, "--rm", "-v", "cache-mv-t:/c", "busybox:latest",
                   "true"]
    assert state.volumes == {"cache": "cache-mv-t"}


@pytest.mark.parametrize(
    "args",
    [
        ["system", "prune", "-f"],
        ["image", "prune", "-f"],
        ["container", "prune", "-f"],
        ["volume", "prune", "-f"],
        ["-H", "tcp://other:2375", "build", "."],
        ["--context", "other", "ps"],
        ["run", "-v", "/etc:/x", "img"],
        ["run", "--volume=/etc:/x", "img"],
        ["run", "--mount", "type=bind,source=/etc,target=/x", "img"],
        ["cp", "x:/app", "/etc/app"],
        ["swarm", "init"],
        [],
    ],
    ids=[
        "system-prune", "image-prune", "container-prune", "volume-prune", "other-host",
        "other-context", "bind-outside", "bind-outside-eq", "mount-outside", "cp-outside",
        "unknown-subcommand", "no-subcommand",
    ],
)
def test_refused(state: State, args: list[str]) -> None:
    """Prunes, another engine, host paths outside the sandbox and unknown subcommands are
    refused."""
    with pytest.raises(Refused):
        rewrite(created(state), args)


def test_bind_mount_escaping_tmp_is_refused(state: State) -> None:
    """A host path that only looks like it is under /tmp (/tmp/../etc) is refused."""
    with pytest.raises(Refused):
        rewrite(state, ["run", "-v", "/tmp/../etc:/x", "img"])


def test_bind_mount_inside_the_sandbox_is_allowed(state: State, tmp_path: Path) -> None:
    """A bind mount of a directory in the sandbox passes unchanged."""
    new, _ = rewrite(state, ["run", "--rm", "-v", f"{tmp_path}/dist:/out", "img", "true"])
    assert new is not None
    assert new[new.index("-v") + 1] == f"{tmp_path}/dist:/out"


def test_dockerfile_from_a_session_image_is_passed_as_a_mapped_copy(
    state: State, tmp_path: Path
) -> None:
    """A Dockerfile whose FROM (or COPY --from) names an image the session built is built from a
    copy naming the private image; the original is left as it is."""
    original = "FROM a/b:1 AS build\nFROM alpine:latest\nCOPY --from=a/b:1 /app /app\n"
    (tmp_path / "Dockerfile.run").write_text(original)
    new, _ = rewrite(built(state), ["build", "-f", "Dockerfile.run", "-t", "c/d:2", "."])
    assert new is not None
    mapped = Path(new[new.index("-f") + 1])
    assert mapped != Path("Dockerfile.run")
    assert mapped.read_text() == (
        "FROM mv-t/a/b:1 AS build\nFROM alpine:latest\nCOPY --from=mv-t/a/b:1 /app /app\n"
    )
    assert (tmp_path / "Dockerfile.run").read_text() == original


@pytest.mark.parametrize("output", ["type=local,dest=dist", "dist", "type=tar,dest=dist"])
@pytest.mark.parametrize("form", ["separate", "joined"])
def test_build_output_to_the_host_is_recorded_and_writes_no_image_id(
    state: State, tmp_path: Path, output: str, form: str,
) -> None:
    """`docker build --output` of files keeps its option, asks for no image id (there is none:
    the client would fail), and records where it writes, for the comparison."""
    option = ["--output", output] if form == "separate" else [f"--output={output}"]
    new, _ = rewrite(state, ["build", "--target", "export", *option, "-f", "Dockerfile.build",
                             "."])
    assert new is not None
    assert "--iidfile" not in new and state.image_ids == []
    assert new[new.index("--output") + 1] == output
    assert state.outputs == [str(tmp_path / "dist")]


def test_build_output_into_the_engine_still_writes_an_image_id(state: State) -> None:
    """An `--output type=image` build makes an image: its id is recorded as for any build."""
    new, _ = rewrite(state, ["build", "-o", "type=image,name=x", "-f", "Dockerfile.build", "."])
    assert new is not None and "--iidfile" in new
    assert state.outputs == []


def test_build_output_outside_the_sandbox_is_refused(state: State) -> None:
    """Files written outside the project copy (or /tmp) would touch the user's machine."""
    with pytest.raises(Refused):
        rewrite(state, ["build", "--output", "type=local,dest=/etc/x", "-f", "Dockerfile.build",
                        "."])


def test_build_arg_naming_a_session_image_is_mapped(state: State) -> None:
    """`--build-arg TOOLCHAIN=ctl-toolchain` for a `FROM ${TOOLCHAIN}` names the private tag
    of the image the session built; other values are passed as they are."""
    rewrite(state, ["build", "-t", "ctl-toolchain", "-f", "Dockerfile.build", "."])
    new, _ = rewrite(state, ["build", "--build-arg", "TOOLCHAIN=ctl-toolchain",
                             "--build-arg=GOOS=linux", "-f", "Dockerfile.build", "."])
    assert new is not None
    args = [new[i + 1] for i, a in enumerate(new) if a == "--build-arg"]
    assert args == ["TOOLCHAIN=mv-t/ctl-toolchain:latest", "GOOS=linux"]
