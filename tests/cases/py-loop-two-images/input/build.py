#!/usr/bin/env python3
import subprocess

SERVICES = ["api", "worker"]


def docker(*args):
    subprocess.check_call(["docker", *args])


def main():
    subprocess.check_call(["mkdir", "-p", "dist"])
    for name in SERVICES:
        docker("build", "-t", f"suite-{name}-build", "-f", f"{name}/Dockerfile.build", name)
        docker("create", "--name", f"{name}-extract", f"suite-{name}-build")
        docker("cp", f"{name}-extract:/out/{name}", f"dist/{name}")
        docker("rm", f"{name}-extract")
    docker("build", "-t", "suite:latest", ".")


main()
