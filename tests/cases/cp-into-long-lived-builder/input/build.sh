#!/bin/sh
set -e
docker run -d --name box golang:1.21 sleep 600
docker cp . box:/src
docker exec -w /src box go build -o /out/app .
docker cp box:/out/app ./app
docker rm -f box
docker build -t example/cpin .
rm -f app
