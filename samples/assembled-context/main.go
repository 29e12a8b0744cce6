package main

func main() { println("svc") }
