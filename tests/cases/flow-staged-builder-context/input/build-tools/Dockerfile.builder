FROM golang:1.21
WORKDIR /src
COPY main.go greeting.patch ./
RUN go build -o /usr/local/bin/gizmo main.go
