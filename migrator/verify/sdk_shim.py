"""The Docker SDK for Python as a build script sees it while verification runs it.

`migrator.verify.shim` guards the `docker` client on PATH; a script that uses the SDK talks to
the engine itself. Here the real SDK's calls are wrapped (installed by the `sitecustomize` that
verification puts first on the script's PYTHONPATH) with the same rules, on the same state file:
tags and container names move to the session's private namespace and later references follow,
containers get the session label and are recorded, bind mounts must stay in the sandbox, a
Dockerfile that names a session image is mapped, push and login do nothing. The SDK still does
the work (build contexts, archives, API calls) against the real engine.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from migrator.verify.shim import (
    Refused,
    _check_host_path,
    _mapped_dockerfile,
    _norm,
    _private_ref,
    locked_state,
    map_container,
    map_image,
)


def _state_file() -> str:
    return os.environ["MIGRATOR_SHIM_STATE"]


def _build(original: Any) -> Any:
    @functools.wraps(original)
    def build(self: Any, **kwargs: Any) -> Any:
        with locked_state(_state_file()) as state:
            state.log.append(["sdk", "images.build", str(kwargs.get("tag"))])
            path = kwargs.get("path")
            if path is None or kwargs.get("fileobj") is not None:
                raise Refused("images.build without a context directory")
            _check_host_path(state, os.path.abspath(path))
            if kwargs.get("tag"):
                private = _private_ref(state, kwargs["tag"])
                state.images[_norm(kwargs["tag"])] = private
                kwargs["tag"] = private
            dockerfile = os.path.join(path, kwargs.get("dockerfile") or "Dockerfile")
            kwargs["dockerfile"] = os.path.relpath(_mapped_dockerfile(state, dockerfile), path)
            kwargs["forcerm"] = True
            iid = os.path.join(state.scratch or state.sandbox,
                               f"iid-{len(state.image_ids)}-{os.getpid()}")
            state.image_ids.append(iid)
        image, logs = original(self, **kwargs)
        with open(iid, "w", encoding="utf-8") as f:
            f.write(image.id)
        return image, logs

    return build


def _container(original: Any, run: bool) -> Any:
    @functools.wraps(original)
    def make(self: Any, image: Any, command: Any = None, **kwargs: Any) -> Any:
        with locked_state(_state_file()) as state:
            state.log.append(["sdk", "containers.run" if run else "containers.create"])
            if isinstance(image, str):
                image = map_image(state, image)
            if kwargs.get("name"):
                private = f"{kwargs['name']}-mv-{state.token}"
                state.containers[kwargs["name"]] = private
                state.created.append(private)
                kwargs["name"] = private
            volumes = kwargs.get("volumes") or {}
            for host in volumes if isinstance(volumes, dict) else [
                    v.split(":", 1)[0] for v in volumes]:
                if str(host).startswith(("/", ".")):
                    _check_host_path(state, str(host))
            labels = dict(kwargs.get("labels") or {})
            labels["migrator.verify"] = state.token
            kwargs["labels"] = labels
        result = original(self, image, command, **kwargs)
        if hasattr(result, "id"):
            with locked_state(_state_file()) as state:
                state.created.append(result.id)
        return result

    return make


def _mapped(original: Any, mapper: Any, keyword: str) -> Any:
    """A call whose first argument (or `keyword`) names an image or container."""
    @functools.wraps(original)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        with locked_state(_state_file()) as state:
            if args and isinstance(args[0], str):
                args = (mapper(state, args[0]), *args[1:])
            elif isinstance(kwargs.get(keyword), str):
                kwargs[keyword] = mapper(state, kwargs[keyword])
        return original(self, *args, **kwargs)

    return call


def _nothing(*_args: Any, **_kwargs: Any) -> None:
    return None


def install() -> None:
    """Wrap the SDK's calls, if the SDK is there and verification runs this process."""
    if "MIGRATOR_SHIM_STATE" not in os.environ:
        return
    try:
        from docker.models.containers import ContainerCollection
        from docker.models.images import ImageCollection
    except ImportError:
        return
    ImageCollection.build = _build(ImageCollection.build)
    ImageCollection.get = _mapped(ImageCollection.get, map_image, "name")
    ImageCollection.remove = _mapped(ImageCollection.remove, map_image, "image")
    ImageCollection.push = _nothing
    ContainerCollection.create = _container(ContainerCollection.create, run=False)
    ContainerCollection.run = _container(ContainerCollection.run, run=True)
    ContainerCollection.get = _mapped(ContainerCollection.get, map_container, "container_id")
    from docker.client import DockerClient

    DockerClient.login = _nothing
