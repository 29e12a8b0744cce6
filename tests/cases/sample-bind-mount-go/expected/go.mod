module example.com/bind

go 1.21
