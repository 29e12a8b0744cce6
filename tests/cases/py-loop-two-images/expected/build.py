#!/usr/bin/env python3
import subprocess


def docker(*args):
    subprocess.check_call(["docker", *args])


def main():
    docker("build", "-t", "suite:latest", ".")


main()
