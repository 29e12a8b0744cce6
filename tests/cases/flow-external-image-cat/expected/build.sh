#!/bin/sh
set -e

docker build -t example/probe:latest .
