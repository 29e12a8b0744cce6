#!/usr/bin/env python3
# Release script: builds the toolchain image, extracts the tool, builds the image.
import os
import subprocess
import sys

REGISTRY = os.getenv("REGISTRY", "example.org/tools")
TAG = "%s/hello:%s" % (REGISTRY, os.environ.get("RELEASE", "dev"))


def run(cmd):
    """Run a shell command, stopping the release on failure."""
    print("$ " + cmd, flush=True)
    if subprocess.call(cmd, shell=True) != 0:
        sys.exit(1)


run("docker build -t hello-builder -f Dockerfile.build .")
os.makedirs("dist", exist_ok=True)
run("docker create --name hello-extract hello-builder")
run("docker cp hello-extract:/src/out/hello dist/hello && docker rm hello-extract")
os.system("docker build -t {} .".format(TAG))
print("built", TAG)
