FROM golang:1.21 AS builder
WORKDIR /src
COPY . .
RUN go build -o /out/a . && cp /out/a /out/b

# Was a build in a running container (build.sh:5); now a stage.
FROM builder AS build
COPY agent /dist
RUN ["cp", "/out/a", "/out/b", "/dist/"]

# Puts the build outputs where and how the legacy script left them on the host
# (modes and layout); the final stage copies from here.
FROM build AS build-dist
RUN mkdir -p /migrator-dist/agent \
    && cp -a /dist/. /migrator-dist/agent/ \
    && mkdir -p /migrator-dist/docker \
    && cp /migrator-dist/agent/b /migrator-dist/docker/b

FROM example/agent
COPY --from=build-dist /migrator-dist/docker/b /usr/bin/
ENTRYPOINT ["/usr/bin/b"]
