#!/usr/bin/env python3
"""Builds the words image: the toolchain container writes into ./out through a bind mount."""
import os

import docker

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    client = docker.from_env()
    client.images.build(path=HERE, tag="words:latest")


if __name__ == "__main__":
    main()
