#!/bin/bash
# Build the .deb packages in the dev image, then install them into a slim runtime image.
set -e

docker build -t pkg-dev -f Dockerfile.dev .

CID=$(docker run -itd pkg-dev bash)
rm -rf binaries
mkdir -p binaries
docker exec "${CID}" /bin/bash -c 'mkdir -p /root/pkgs && cp /src/build/*.deb /root/pkgs/ && cd /root && tar -zcvf /root/pkgs.tar.gz pkgs/*'
docker cp "${CID}":/root/pkgs.tar.gz binaries/
docker rm -f "${CID}"

docker build -t example/agent:latest .
rm -rf binaries
