#!/bin/bash
set -euo pipefail

docker build -f build/Dockerfile.run -t example/svc:1.0 .
