FROM alpine:3.11
COPY shopctl /usr/local/bin/shopctl
ENTRYPOINT ["shopctl"]
