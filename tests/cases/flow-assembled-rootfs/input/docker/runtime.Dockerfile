FROM debian:bookworm-slim
COPY etc /etc
COPY relay /usr/bin/relay
EXPOSE 7000
CMD ["relay", "--config", "/etc/relay/relay.toml"]
