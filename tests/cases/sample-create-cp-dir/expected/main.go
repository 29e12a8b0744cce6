// Command app prints its greeting and where it expects its configuration,
// which ships next to the binary in conf/.
package main

import (
	"fmt"
	"os"
	"path/filepath"
)

const greeting = "hello from app"

func main() {
	dir := filepath.Dir(os.Args[0])
	fmt.Println(greeting)
	fmt.Println("config:", filepath.Join(dir, "conf", "conf.yml"))
}
