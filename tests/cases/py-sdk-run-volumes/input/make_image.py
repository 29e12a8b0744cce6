#!/usr/bin/env python3
"""Builds the words image: the toolchain container writes into ./out through a bind mount."""
import os

import docker

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLCHAIN = "words-toolchain"


def main():
    client = docker.from_env()
    client.images.build(path=HERE, dockerfile="Dockerfile.build", tag=TOOLCHAIN)
    out = os.path.join(HERE, "out")
    os.makedirs(out, exist_ok=True)
    client.containers.run(
        TOOLCHAIN,
        "sh -c 'tr a-z A-Z < words.txt > /out/words.upper'",
        volumes={out: {"bind": "/out", "mode": "rw"}},
        remove=True,
    )
    client.images.build(path=HERE, tag="words:latest")


if __name__ == "__main__":
    main()
