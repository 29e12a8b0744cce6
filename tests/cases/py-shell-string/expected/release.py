#!/usr/bin/env python3
# Release script: builds the toolchain image, extracts the tool, builds the image.
import os

REGISTRY = os.getenv("REGISTRY", "example.org/tools")
TAG = "%s/hello:%s" % (REGISTRY, os.environ.get("RELEASE", "dev"))


os.system("docker build -t {} .".format(TAG))
print("built", TAG)
