module example.com/cpin

go 1.21
