package identity

import (
	"context"
	"errors"
	"testing"
	"time"

	"flowcraft/engine"
)

// TestHashConcurrencyIsBounded: one hash at a time, one check may wait; a third is
// answered "busy" at once, and the waiting one gives up after HashWait.
func TestHashConcurrencyIsBounded(t *testing.T) {
	th := NewLoginThrottle(ThrottleOptions{Hashes: 1, HashQueue: 1, HashWait: 50 * time.Millisecond}, 4, nil)
	ctx := context.Background()
	release := make(chan struct{})
	running := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- th.hash(ctx, func() { close(running); <-release })
	}()
	<-running
	second := make(chan error, 1)
	go func() { second <- th.hash(ctx, func() {}) }()
	// Wait until the second check is queued, then the third finds the queue full.
	deadline := time.Now().Add(10 * time.Second)
	for len(th.waiting) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("second check never queued")
		}
		time.Sleep(time.Millisecond)
	}
	err := th.hash(ctx, func() { t.Error("third hash ran") })
	var re *engine.RetryError
	if !errors.As(err, &re) || !errors.Is(err, engine.ErrUnavailable) || re.RetryAfter <= 0 {
		t.Fatalf("third check: %v", err)
	}
	// The queued one times out (the slot is still taken).
	if err := <-second; !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("queued check: %v", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	// The slot is free again.
	ran := false
	if err := th.hash(ctx, func() { ran = true }); err != nil || !ran {
		t.Fatalf("after release: %v %v", err, ran)
	}
}
