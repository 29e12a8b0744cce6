FROM golang:1.22-alpine

WORKDIR /go/src/github.com/acme/relay

COPY go.mod ./
RUN go mod download

COPY . /go/src/github.com/acme/relay
