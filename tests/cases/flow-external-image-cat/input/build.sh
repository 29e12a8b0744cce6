#!/bin/sh
set -e

docker build -t probe-build -f Dockerfile.build .
docker create --name probe-extract probe-build
docker cp probe-extract:/go/bin/probe ./probe
docker rm probe-extract

# netutil is published in the weave tools image; we never build it here.
docker run --rm --entrypoint=cat example/nettools:2.8.1 /usr/bin/netutil > netutil
chmod +x netutil

docker build -t example/probe:latest .
rm -f probe netutil
