# Build $(BIN) in a toolchain image, then package it.
BUILDER_IMAGE := $(BIN)-build
OUT := out

.PHONY: image builder

builder:
	docker build --target builder -t $(BUILDER_IMAGE) -f Dockerfile .

image:
	docker build -t $(REGISTRY)/$(BIN):$(VERSION) .
