#!/usr/bin/env python3
"""Build the banner image.

Usage: scripts/images.py [--tag TAG] [--flavor FLAVOR]
"""
import argparse
import os
import shlex
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(command, **kwargs):
    print("+", command)
    subprocess.run(shlex.split(command), check=True, cwd=ROOT, **kwargs)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tag", default="banner:latest", help="tag of the final image")
    parser.add_argument("--flavor", default="fancy")
    return parser.parse_args()


def main():
    args = parse_args()
    sh(f"docker build --build-arg FLAVOR={args.flavor} -t banner-builder -f Dockerfile.build .")
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    sh("docker run --rm -v " + os.path.join(ROOT, "build") + ":/out banner-builder"
       " cp /artifacts/banner.txt /out/banner.txt")
    sh(f"docker build -t {args.tag} .")


if __name__ == "__main__":
    main()
