#!/bin/sh
# Build the bundle in a Node image, stream dist/ out as a tar archive, and
# package it in a small release image.
set -e

build_image() { docker build -f "$1" -t "$2" .; }

build_image release.df web:latest
