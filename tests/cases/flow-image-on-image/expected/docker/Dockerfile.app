FROM golang:1.21 AS builder
WORKDIR /src
COPY . .
RUN go build -o /out/a . && cp /out/a /out/b

# Was a build in a running container (build.sh:5); now a stage.
FROM builder AS build
COPY docker /dist
RUN ["cp", "/out/a", "/out/b", "/dist/"]

FROM alpine:3.18 AS agent
COPY --from=build /dist/a /home/weave/

FROM agent
COPY --from=build /dist/b /usr/bin/
ENTRYPOINT ["/usr/bin/b"]
