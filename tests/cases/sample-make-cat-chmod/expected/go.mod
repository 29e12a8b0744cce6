module github.com/example/server

go 1.21
