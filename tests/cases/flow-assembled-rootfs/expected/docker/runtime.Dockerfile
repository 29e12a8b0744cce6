FROM rust:1.77-bookworm AS builder
WORKDIR /usr/src/relay
COPY . .
RUN cargo install --path . --root /usr/local

FROM debian:bookworm-slim
COPY docker/rootfs/etc /etc
COPY --from=builder /usr/local/bin/relay /usr/bin/relay
EXPOSE 7000
CMD ["relay", "--config", "/etc/relay/relay.toml"]
