// Package npmtest finds the third-party npm packages the compatibility tests drive
// (testdata/npm at the module's root, installed by `npm ci --prefix testdata/npm`).
// Without them a test skips with a message saying how to install them; under CI=true
// it fails instead, so CI never passes by skipping.
package npmtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Modules returns the node_modules directory holding the packages, after checking
// that node and each named package are there.
func Modules(t testing.TB, packages ...string) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		missing(t, "node is not installed")
	}
	root, err := moduleRoot()
	if err != nil {
		missing(t, err.Error())
	}
	dir := filepath.Join(root, "testdata", "npm", "node_modules")
	for _, p := range packages {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p), "package.json")); err != nil {
			missing(t, "npm package "+p+" is not installed")
		}
	}
	return dir
}

// Script returns a command running node on one of the harness scripts kept beside the
// packages (testdata/npm/<name>, so that its imports resolve), with args.
func Script(modules, name string, args ...string) *exec.Cmd {
	cmd := exec.Command("node", append([]string{filepath.Join(filepath.Dir(modules), name)}, args...)...)
	cmd.Dir = filepath.Dir(modules)
	return cmd
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI needs it: npm ci --prefix testdata/npm", why)
	}
	t.Skipf("skipped: %s (npm ci --prefix testdata/npm installs the compatibility clients); under CI=true this fails", why)
}

// moduleRoot is the directory of go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
