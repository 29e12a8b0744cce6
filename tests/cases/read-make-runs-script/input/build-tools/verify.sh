#!/bin/bash
set -e
test -d cmd/k8s-ctlr
