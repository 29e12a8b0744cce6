# Build $(BIN) in a toolchain image, then package it.
BUILDER_IMAGE := $(BIN)-build
OUT := out

.PHONY: image builder

builder:
	docker build -t $(BUILDER_IMAGE) -f build/Dockerfile.build .

$(OUT)/$(BIN): builder
	mkdir -p $(@D)
	docker run --rm -v $(CURDIR)/$(OUT):/out $(BUILDER_IMAGE) cp /go/bin/$(BIN) /out/$(BIN)

image: $(OUT)/$(BIN)
	docker build -t $(REGISTRY)/$(BIN):$(VERSION) .
