package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeLinks: every relative link of README.md points into the repository at a
// file that exists, and every example is listed.
func TestReadmeLinks(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	if strings.Contains(readme, "../") {
		t.Error("README.md refers to ../ (outside the repository): a clone on its own has nothing there")
	}
	links := regexp.MustCompile(`\]\(([^)\s]+)\)`).FindAllStringSubmatch(readme, -1)
	if len(links) == 0 {
		t.Fatal("no links found in README.md")
	}
	for _, m := range links {
		target := m[1]
		if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
			continue
		}
		target, _, _ = strings.Cut(target, "#")
		if _, err := os.Stat(target); err != nil {
			t.Errorf("README.md links to %s: %v", m[1], err)
		}
	}
	examples, _ := filepath.Glob(filepath.Join("examples", "*.json"))
	if len(examples) == 0 {
		t.Fatal("no examples in examples/")
	}
	for _, p := range examples {
		if !strings.Contains(readme, "]("+filepath.ToSlash(p)+")") {
			t.Errorf("README.md does not list %s", p)
		}
	}
}
