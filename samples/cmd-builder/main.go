package main

func main() { println("cmd-builder") }
