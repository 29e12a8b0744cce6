// Command tool is acme's small command-line helper.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/acme/tool/internal/version"
)

func usage() {
	fmt.Fprintf(os.Stderr, "tool %s\n\nUsage:\n  tool [flags] WORD...\n\nFlags:\n", version.Version)
	flag.PrintDefaults()
}

func main() {
	upper := flag.Bool("upper", false, "print the words in upper case")
	flag.Usage = usage
	flag.Parse()

	if flag.NArg() == 0 {
		usage()
		return
	}
	out := strings.Join(flag.Args(), " ")
	if *upper {
		out = strings.ToUpper(out)
	}
	fmt.Println(out)
}
