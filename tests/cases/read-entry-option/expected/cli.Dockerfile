FROM golang:1.14 AS builder
RUN mkdir /out && printf "#!/bin/sh\necho shopctl\n" > /out/shopctl && chmod +x /out/shopctl

FROM alpine:3.11
COPY --from=builder /out/shopctl /usr/local/bin/shopctl
ENTRYPOINT ["shopctl"]
