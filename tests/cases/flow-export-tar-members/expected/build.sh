#!/usr/bin/env bash
# Builds the agent in the toolchain image and ships only what it installed.
set -euo pipefail

docker build -t example/agent:latest .
