package main

func main() { println("server") }
