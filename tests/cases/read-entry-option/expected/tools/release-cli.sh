#!/bin/sh
# The command-line tool image, released by hand.
set -e
docker build -t shop/cli -f cli.Dockerfile .
