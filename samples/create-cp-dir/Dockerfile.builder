FROM golang:1.7.3
WORKDIR /go/src/app
COPY . .
RUN go build -o bin/app . && mkdir -p bin/conf && cp conf.yml bin/conf/
