package main

import (
	"embed"
	"io/fs"
)

// staticFiles is the browser UI's CSS, JavaScript and images, built into the binary.
//
//go:embed static
var staticFiles embed.FS

// staticFS returns the static/ tree, served at /static.
func staticFS() fs.FS {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the directory is embedded at build time; this cannot fail
	}
	return sub
}
