module example.com/node-agent

go 1.21
