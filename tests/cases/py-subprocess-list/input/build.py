#!/usr/bin/env python3
"""Build the href-counter image."""
import os
import subprocess

IMAGE = "alexellis2/href-counter"
VERSION = os.environ.get("VERSION", "1.0")


def sh(*args):
    print("+", " ".join(args))
    subprocess.check_call(list(args))


def main():
    # the toolchain image
    subprocess.run(["docker", "build", "-t", f"{IMAGE}:build", "-f", "Dockerfile.build", "."],
                   check=True)
    subprocess.run(["docker", "create", "--name", "extract", f"{IMAGE}:build"], check=True)
    subprocess.run(["docker", "cp", "extract:/go/src/app/app", "./app"], check=True)
    subprocess.run(["docker", "rm", "-f", "extract"], check=True)
    subprocess.run(["docker", "build", "-t", f"{IMAGE}:{VERSION}", "."], check=True)
    os.remove("app")


if __name__ == "__main__":
    main()
