//go:build !unix

package sqlite

// lockFile is a no-op where flock is not available: restore cannot tell whether a
// server uses the data directory, so stop it first.
func lockFile(path string, exclusive bool) (release func() error, err error) {
	return func() error { return nil }, nil
}
