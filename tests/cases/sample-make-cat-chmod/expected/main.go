// Command server is a tiny HTTP service: GET / returns a greeting and
// GET /healthz returns "ok".
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
)

var version = "1.4.2"

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()

	if *showVersion {
		fmt.Println("server", version)
		return
	}

	http.HandleFunc("/", hello)
	http.HandleFunc("/healthz", healthz)

	log.Printf("server %s listening on %s", version, *addr)
	if err := http.ListenAndServe(*addr, nil); err != nil {
		log.Println(err)
		os.Exit(1)
	}
}
