// Command app counts the internal and external links in a built-in HTML page
// and prints the result as JSON. It reads nothing from the network.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"golang.org/x/net/html"
)

const page = `<!DOCTYPE html>
<html>
  <body>
    <a href="/about">About</a>
    <a href="/blog/">Blog</a>
    <a href="https://github.com/alexellis">GitHub</a>
    <a href="https://twitter.com/alexellisuk">Twitter</a>
    <a href="#top">Top</a>
  </body>
</html>`

type result struct {
	Internal int `json:"internal"`
	External int `json:"external"`
}

func count(doc *html.Node, r *result) {
	if doc.Type == html.ElementNode && doc.Data == "a" {
		for _, a := range doc.Attr {
			if a.Key != "href" {
				continue
			}
			if strings.HasPrefix(a.Val, "http://") || strings.HasPrefix(a.Val, "https://") {
				r.External++
			} else {
				r.Internal++
			}
		}
	}
	for c := doc.FirstChild; c != nil; c = c.NextSibling {
		count(c, r)
	}
}

func main() {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		fmt.Fprintln(os.Stderr, "parse:", err)
		os.Exit(1)
	}
	var r result
	count(doc, &r)
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
}
