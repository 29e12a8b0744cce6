"""Removing what verification's flows made: their containers, private tags, untagged images
and volumes, found through the shim's state files (see migrator.verify.shim)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence

from migrator.verify.engine import DockerClient
from migrator.verify.shim import State


def image_ids(client: DockerClient) -> set[str]:
    found = client.run(["images", "-aq", "--no-trunc"], timeout=120)
    return set(found.stdout.decode().split()) if found.ok else set()


def cleanup(client: DockerClient, state_files: Sequence[str], settle: bool,
             existing: set[str]) -> list[str]:
    """Remove what the flows made. `settle`: a client was killed mid-command (interrupt,
    timeout), so a container it asked for may still appear: look twice."""
    problems: list[str] = []
    for state_file in state_files:
        try:
            state = State.load(state_file)
        except (OSError, ValueError) as exc:
            problems.append(f"cannot read {state_file}: {exc}")
            continue
        label = f"label=migrator.verify={state.token}"
        # Twice: a container that a just-killed client asked for may appear a moment later.
        for attempt in range(2):
            ids = client.run(["ps", "-aq", "--filter", label], timeout=120).stdout.decode().split()
            for target in dict.fromkeys([*ids, *(state.created if attempt == 0 else [])]):
                client.run(["rm", "-f", "-v", target], timeout=120)
            if not settle:
                break
            time.sleep(1.0)
        for private in state.images.values():
            client.run(["rmi", "-f", private], timeout=120)
        for iid_file in state.image_ids:
            iid = ""
            with contextlib.suppress(OSError), open(iid_file, encoding="utf-8") as f:
                iid = f.read().strip()
            # Only an image this verification made and nothing tags: a fully cached build
            # returns an id the engine already had (a base image, the user's own build).
            if iid and iid not in existing and not client.run(
                    ["image", "inspect", "--format", "{{.RepoTags}}", iid],
                    timeout=60).stdout.strip().strip(b"[]"):
                client.run(["rmi", iid], timeout=120)
        for volume in state.volumes.values():
            client.run(["volume", "rm", "-f", volume], timeout=120)
        left = client.run(["ps", "-aq", "--filter", f"label=migrator.verify={state.token}"],
                          timeout=120).stdout.split()
        if left:
            problems.append(f"{len(left)} containers of {state.token} could not be removed")
    return problems
