package main

func main() { println("bind") }
