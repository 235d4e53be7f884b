package identity_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"flowcraft/db/sqlite"
	"flowcraft/engine"
	"flowcraft/identity"
)

// testClock is a clock the test moves by hand.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time          { return c.t }
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newThrottledIdentity(t *testing.T, opts identity.ThrottleOptions) (*identity.Service, *testClock) {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := sqlite.Open(context.Background(), t.TempDir(), sqlite.Options{}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close(context.Background()) })
	id := identity.New(store, identity.Options{BcryptCost: bcrypt.MinCost, Throttle: opts}, clock.now, log)
	ctx := context.Background()
	if _, err := id.Bootstrap(ctx, "admin-pass"); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CreateUser(ctx, &engine.User{ID: "lisi"}, "right-pass"); err != nil {
		t.Fatal(err)
	}
	return id, clock
}

// retryAfter returns the wait of a *RetryError of kind ErrTooMany, failing otherwise.
func retryAfter(t *testing.T, err error) time.Duration {
	t.Helper()
	var re *engine.RetryError
	if !errors.As(err, &re) || !errors.Is(err, engine.ErrTooMany) {
		t.Fatalf("want a throttling error, got %v", err)
	}
	return re.RetryAfter
}

func TestThrottleDelaysThenLocksOut(t *testing.T) {
	ctx := context.Background()
	id, clock := newThrottledIdentity(t, identity.ThrottleOptions{})
	// Five free failures.
	for i := range 5 {
		if _, err := id.CheckPassword(ctx, "lisi", "guess", "10.0.0.1"); !errors.Is(err, engine.ErrUnauthorized) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	// The sixth is still tried; then each attempt waits 1 s, 2 s, 4 s, 8 s.
	if _, err := id.CheckPassword(ctx, "lisi", "guess", "10.0.0.1"); !errors.Is(err, engine.ErrUnauthorized) {
		t.Fatalf("failure 6: %v", err)
	}
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		_, err := id.CheckPassword(ctx, "lisi", "right-pass", "10.0.0.1") // even the right one waits
		if got := retryAfter(t, err); got != want {
			t.Fatalf("delay %d: Retry-After %v, want %v", i+1, got, want)
		}
		clock.advance(want)
		if _, err := id.CheckPassword(ctx, "lisi", "guess", "10.0.0.1"); !errors.Is(err, engine.ErrUnauthorized) {
			t.Fatalf("failure %d after the delay: %v", 7+i, err)
		}
	}
	// Ten failures: locked for 15 minutes, the right password included.
	_, err := id.CheckPassword(ctx, "lisi", "right-pass", "10.0.0.2")
	if got := retryAfter(t, err); got != 15*time.Minute {
		t.Fatalf("lockout Retry-After %v, want 15m (%v)", got, err)
	}
	if u, _ := id.GetUser(ctx, "lisi"); u.LockedUntil != clock.now().Add(15*time.Minute).UnixMilli() {
		t.Errorf("lockedUntil %d", u.LockedUntil)
	}
	clock.advance(15 * time.Minute)
	if _, err := id.CheckPassword(ctx, "lisi", "right-pass", "10.0.0.2"); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	if u, _ := id.GetUser(ctx, "lisi"); u.LockedUntil != 0 {
		t.Errorf("still locked after sign-in: %d", u.LockedUntil)
	}
}

func TestThrottleSuccessResets(t *testing.T) {
	ctx := context.Background()
	id, _ := newThrottledIdentity(t, identity.ThrottleOptions{})
	for range 2 {
		for range 5 {
			if _, err := id.CheckPassword(ctx, "lisi", "guess", ""); !errors.Is(err, engine.ErrUnauthorized) {
				t.Fatal(err)
			}
		}
		if _, err := id.CheckPassword(ctx, "lisi", "right-pass", ""); err != nil {
			t.Fatalf("right password after 5 failures: %v", err)
		}
	}
	// Six failures in a row now: the count started over after each success.
	for range 6 {
		if _, err := id.CheckPassword(ctx, "lisi", "guess", ""); !errors.Is(err, engine.ErrUnauthorized) {
			t.Fatalf("count not reset: %v", err)
		}
	}
	if _, err := id.CheckPassword(ctx, "lisi", "guess", ""); !errors.Is(err, engine.ErrTooMany) {
		t.Fatalf("7th attempt: %v", err)
	}
}

func TestThrottleQuietWindowForgets(t *testing.T) {
	ctx := context.Background()
	id, clock := newThrottledIdentity(t, identity.ThrottleOptions{})
	for range 6 {
		id.CheckPassword(ctx, "lisi", "guess", "")
	}
	clock.advance(15 * time.Minute)
	for i := range 6 {
		if _, err := id.CheckPassword(ctx, "lisi", "guess", ""); !errors.Is(err, engine.ErrUnauthorized) {
			t.Fatalf("failure %d after a quiet window: %v", i+1, err)
		}
	}
}

func TestThrottleAddressAcrossUserNames(t *testing.T) {
	ctx := context.Background()
	id, _ := newThrottledIdentity(t, identity.ThrottleOptions{})
	// One guess each for 21 names (most do not exist) from one address.
	for i := range 21 {
		if _, err := id.CheckPassword(ctx, fmt.Sprintf("user%d", i), "guess", "192.0.2.7"); !errors.Is(err, engine.ErrUnauthorized) {
			t.Fatalf("guess %d: %v", i+1, err)
		}
	}
	_, err := id.CheckPassword(ctx, "lisi", "right-pass", "192.0.2.7")
	if retryAfter(t, err) != time.Second {
		t.Fatalf("address delay: %v", err)
	}
	// Other addresses, and the account itself, are not affected.
	if _, err := id.CheckPassword(ctx, "lisi", "right-pass", "192.0.2.8"); err != nil {
		t.Fatalf("another address: %v", err)
	}
}

func TestAdminUnlocks(t *testing.T) {
	ctx := context.Background()
	id, _ := newThrottledIdentity(t, identity.ThrottleOptions{LockoutFailures: 3, AccountFreeFailures: 10})
	lock := func() {
		t.Helper()
		for range 3 {
			id.CheckPassword(ctx, "lisi", "guess", "")
		}
		if _, err := id.CheckPassword(ctx, "lisi", "right-pass", ""); !errors.Is(err, engine.ErrTooMany) {
			t.Fatalf("not locked: %v", err)
		}
	}
	lock()
	if err := id.Unlock(ctx, "lisi", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckPassword(ctx, "lisi", "right-pass", ""); err != nil {
		t.Fatalf("after Unlock: %v", err)
	}
	lock()
	pw := "brand-new-pass"
	if _, err := id.UpdateUser(ctx, "lisi", identity.UserInput{Password: &pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckPassword(ctx, "lisi", pw, ""); err != nil {
		t.Fatalf("after a password reset: %v", err)
	}
	if err := id.Unlock(ctx, "ghost", "admin"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("unlock of an unknown user: %v", err)
	}
}

func TestThrottleMemoryIsBounded(t *testing.T) {
	clock := &testClock{t: time.Unix(0, 0)}
	th := identity.NewLoginThrottle(identity.ThrottleOptions{MaxEntries: 100}, 1, clock.now)
	for i := range 10_000 {
		th.Failed(fmt.Sprintf("user-%d", i), fmt.Sprintf("198.51.100.%d:%d", i%256, i))
		clock.advance(time.Millisecond)
	}
	if acc, addr := th.Len(); acc > 100 || addr > 100 {
		t.Fatalf("remembered %d accounts and %d addresses, bound 100", acc, addr)
	}
	// The most recent ones are kept.
	th.Failed("user-9999", "")
	if err := th.Allow("user-9999", ""); err != nil {
		// two failures: still free
		t.Fatalf("recent entry: %v", err)
	}
}
