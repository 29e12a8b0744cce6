#!/bin/sh
# Builds relay in the toolchain image and packages it. plugins/ starts empty:
# operators mount their own plugins there.
set -e

rm -rf out
mkdir -p out/bin out/plugins

docker build -t relay:latest .
rm -rf out
