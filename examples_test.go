package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// sharedExamples is the design's folder of examples, beside the repository on a
// maintainer's machine (a clone on its own, as in CI, has none).
var sharedExamples = filepath.Join("..", "shared", "examples")

// diffExamples compares the *.json files of two folders and describes every
// difference: a file in one folder only, or a file whose bytes differ.
func diffExamples(repo, shared string) ([]string, error) {
	list := func(dir string) (map[string][]byte, error) {
		paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			return nil, err
		}
		files := make(map[string][]byte, len(paths))
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			files[filepath.Base(p)] = b
		}
		return files, nil
	}
	ours, err := list(repo)
	if err != nil {
		return nil, err
	}
	theirs, err := list(shared)
	if err != nil {
		return nil, err
	}
	var diffs []string
	for name, b := range theirs {
		switch mine, ok := ours[name]; {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s is in %s but not in %s", name, shared, repo))
		case !bytes.Equal(mine, b):
			diffs = append(diffs, fmt.Sprintf("%s differs between %s and %s", name, repo, shared))
		}
	}
	for name := range ours {
		if _, ok := theirs[name]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s is in %s but not in %s", name, repo, shared))
		}
	}
	slices.Sort(diffs)
	return diffs, nil
}

// TestExamplesMatchShared keeps examples/ in step with ../shared/examples when that
// folder exists; a clone on its own skips (also under CI=true: CI clones have none).
func TestExamplesMatchShared(t *testing.T) {
	if _, err := os.Stat(sharedExamples); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s does not exist (a clone on its own): nothing to compare examples/ with", sharedExamples)
	}
	diffs, err := diffExamples("examples", sharedExamples)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diffs {
		t.Errorf("%s: copy %s to examples/ (or the other way round)", d, sharedExamples)
	}
}

// TestDiffExamples: the comparison sees a changed, a missing and an extra file.
func TestDiffExamples(t *testing.T) {
	repo, shared := t.TempDir(), t.TempDir()
	write := func(dir, name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(repo, "same.json", `{"a": 1}`)
	write(shared, "same.json", `{"a": 1}`)
	write(shared, "notes.txt", "not an example")
	if diffs, err := diffExamples(repo, shared); err != nil || len(diffs) != 0 {
		t.Fatalf("equal folders: %v %v", diffs, err)
	}
	write(repo, "changed.json", `{"a": 1}`)
	write(shared, "changed.json", `{"a": 2}`)
	write(shared, "new.json", `{}`)
	write(repo, "old.json", `{}`)
	diffs, err := diffExamples(repo, shared)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"changed.json differs", "new.json is in " + shared, "old.json is in " + repo}
	if len(diffs) != len(want) {
		t.Fatalf("diffs %q, want %d", diffs, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(diffs[i], w) {
			t.Errorf("diff %d = %q, want it to start with %q", i, diffs[i], w)
		}
	}
}

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
