#!/bin/sh
# The web image: the static site is built in a node container.
set -e
docker build -t shop/web-build -f web.build.Dockerfile .
docker run --rm shop/web-build cat /site/index.html > site/index.html
docker build -t shop/web -f web.Dockerfile .
