#!/bin/sh
# Runs the named bundles in order: ./hack/make.sh binary test-integration
set -e

for bundle in "$@"; do
	echo "---> Making bundle: $bundle"
	. "./hack/$bundle"
done
