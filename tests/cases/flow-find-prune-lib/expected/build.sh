#!/bin/bash
set -e

# static archives are only needed at link time

docker build -t example/zmqproxy .
