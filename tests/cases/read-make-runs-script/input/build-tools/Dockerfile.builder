FROM golang:1.11
WORKDIR /go/src/example.com/k8s-ctlr
COPY cmd cmd
RUN go install ./cmd/k8s-ctlr
