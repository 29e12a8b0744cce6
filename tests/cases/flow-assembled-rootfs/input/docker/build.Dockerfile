FROM rust:1.77-bookworm
WORKDIR /usr/src/relay
COPY . .
RUN cargo install --path . --root /usr/local
