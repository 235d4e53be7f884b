package engine

import (
	"crypto/sha256"
	"encoding/json"
)

// Idempotency keys (the Idempotency-Key header of a start) belong to a scope, the
// caller that sent them: a user, or a webhook's token. The same key in two scopes is
// two keys, so that one caller can neither find nor block another's start. A key
// repeated with other trigger data is refused (ErrUnprocessable) rather than answered
// with the first instance, which would silently drop the new data.

// idemScope is the stored scope of a key: the process and whose key it is.
func idemScope(processID, scope string) string {
	if scope == "" {
		return processID
	}
	return processID + " " + scope
}

// sameData reports whether two trigger values are the same data: equal SHA-256 of
// their JSON (object keys sorted, so key order and spacing in a body do not matter).
func sameData(a, b any) bool {
	fa, errA := fingerprint(a)
	fb, errB := fingerprint(b)
	return errA == nil && errB == nil && fa == fb
}

func fingerprint(v any) ([sha256.Size]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	return sha256.Sum256(b), nil
}
