#!/bin/sh
docker build -t example/app .
docker run --rm example/app /app --version
