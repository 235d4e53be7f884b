package identity

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"

	"flowcraft/engine"
)

// ThrottleOptions tune the protection of password checks against guessing and floods.
// Zero fields take the defaults in brackets.
type ThrottleOptions struct {
	// AccountFreeFailures failed sign-ins of one account are answered at once; each
	// further one makes the next attempt wait Delay, doubling up to MaxDelay [5].
	AccountFreeFailures int
	// LockoutFailures failed sign-ins of one account lock it for Lockout [10, 15 min].
	// An admin unlocks it earlier by setting a new password or with Unlock.
	LockoutFailures int
	Lockout         time.Duration
	// AddressFreeFailures failed sign-ins from one client address, whatever the user
	// names, are answered at once; further ones are delayed like an account's [20].
	// Addresses are never locked out (many users may share one behind a NAT).
	AddressFreeFailures int
	// Window is how long failures are remembered: a quiet Window forgets them [15 min].
	Window time.Duration
	// Delay is the first delay past the free failures; MaxDelay caps the doubling [1 s, 15 min].
	Delay    time.Duration
	MaxDelay time.Duration
	// MaxEntries bounds the accounts and the addresses remembered, each (least recently
	// failed forgotten first), so that rotating names or addresses cannot grow memory [50,000].
	MaxEntries int
	// Hashes bounds the password hashes computed at once (bcrypt is CPU-bound) [CPUs].
	// A check waits at most HashWait for a slot [5 s], and at most HashQueue checks wait
	// [64 × Hashes]; others are answered "busy" (engine.ErrUnavailable) at once.
	Hashes    int
	HashWait  time.Duration
	HashQueue int
}

func (o *ThrottleOptions) defaults(cpus int) {
	if o.AccountFreeFailures <= 0 {
		o.AccountFreeFailures = 5
	}
	if o.LockoutFailures <= 0 {
		o.LockoutFailures = 10
	}
	if o.Lockout <= 0 {
		o.Lockout = 15 * time.Minute
	}
	if o.AddressFreeFailures <= 0 {
		o.AddressFreeFailures = 20
	}
	if o.Window <= 0 {
		o.Window = 15 * time.Minute
	}
	if o.Delay <= 0 {
		o.Delay = time.Second
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 15 * time.Minute
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = 50_000
	}
	if o.Hashes <= 0 {
		o.Hashes = max(cpus, 1)
	}
	if o.HashWait <= 0 {
		o.HashWait = 5 * time.Second
	}
	if o.HashQueue <= 0 {
		o.HashQueue = 64 * o.Hashes
	}
}

// LoginThrottle remembers failed sign-ins per account and per client address, in
// memory (per process), bounded by MaxEntries each. It is safe for concurrent use.
type LoginThrottle struct {
	opts ThrottleOptions
	now  func() time.Time

	mu        sync.Mutex
	accounts  *lru
	addresses *lru

	slots   chan struct{} // password hashes in progress
	waiting chan struct{} // checks waiting for a slot
}

// NewLoginThrottle returns a throttle; cpus sizes the default hash concurrency.
func NewLoginThrottle(opts ThrottleOptions, cpus int, now func() time.Time) *LoginThrottle {
	opts.defaults(cpus)
	if now == nil {
		now = time.Now
	}
	return &LoginThrottle{opts: opts, now: now, accounts: newLRU(opts.MaxEntries), addresses: newLRU(opts.MaxEntries),
		slots: make(chan struct{}, opts.Hashes), waiting: make(chan struct{}, opts.HashQueue)}
}

// failures is what the throttle knows about one account or address.
type failures struct {
	count        int
	last         time.Time // the latest failure
	blockedUntil time.Time // no attempt before this
	locked       bool      // blockedUntil is a lockout (accounts only)
}

// Allow reports whether a password may be tried for user from addr now ("" addr:
// unknown, only the account is checked). It returns a *engine.RetryError when not.
func (t *LoginThrottle) Allow(user, addr string) error {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.accounts.get(user); f != nil && now.Before(f.blockedUntil) {
		wait := f.blockedUntil.Sub(now)
		if f.locked {
			return &engine.RetryError{Kind: engine.ErrTooMany, Code: engine.CodeLocked, RetryAfter: wait, Message: fmt.Sprintf(
				"too many failed sign-ins: this account is locked for %s; try again later or ask an administrator to unlock it", roundUp(wait))}
		}
		return &engine.RetryError{Kind: engine.ErrTooMany, Code: engine.CodeTooManyAttempts, RetryAfter: wait, Message: fmt.Sprintf(
			"too many failed sign-ins for this account; try again in %s", roundUp(wait))}
	}
	if addr != "" {
		if f := t.addresses.get(addr); f != nil && now.Before(f.blockedUntil) {
			wait := f.blockedUntil.Sub(now)
			return &engine.RetryError{Kind: engine.ErrTooMany, Code: engine.CodeTooManyAttempts, RetryAfter: wait, Message: fmt.Sprintf(
				"too many failed sign-ins from your address; try again in %s", roundUp(wait))}
		}
	}
	return nil
}

// Failed records a wrong password (or an unknown user) for user from addr. It
// reports whether this failure locked the account.
func (t *LoginThrottle) Failed(user, addr string) (locked bool) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.record(t.accounts, user, now, t.opts.AccountFreeFailures)
	if f.count >= t.opts.LockoutFailures {
		f.blockedUntil, f.locked, locked = now.Add(t.opts.Lockout), true, true
	}
	if addr != "" {
		t.record(t.addresses, addr, now, t.opts.AddressFreeFailures)
	}
	return locked
}

// record counts one failure of key and sets its delay past the free failures.
func (t *LoginThrottle) record(c *lru, key string, now time.Time, free int) *failures {
	f := c.get(key)
	if f == nil {
		f = c.add(key)
	}
	if now.Sub(f.last) >= t.opts.Window {
		f.count, f.locked = 0, false
	}
	f.count++
	f.last = now
	c.touch(key)
	if f.count > free {
		delay := t.opts.Delay
		for i := free + 1; i < f.count && delay < t.opts.MaxDelay; i++ {
			delay *= 2
		}
		f.blockedUntil, f.locked = now.Add(min(delay, t.opts.MaxDelay)), false
	}
	return f
}

// Succeeded forgets the failures of an account after a correct password. The
// address keeps its count: one good password does not license guessing others.
func (t *LoginThrottle) Succeeded(user string) {
	t.mu.Lock()
	t.accounts.remove(user)
	t.mu.Unlock()
}

// Unlock forgets the failures and any lockout of an account.
func (t *LoginThrottle) Unlock(user string) { t.Succeeded(user) }

// Locked reports whether an account is locked out, and until when.
func (t *LoginThrottle) Locked(user string) (time.Time, bool) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.accounts.get(user); f != nil && f.locked && now.Before(f.blockedUntil) {
		return f.blockedUntil, true
	}
	return time.Time{}, false
}

// Len returns how many accounts and addresses are remembered.
func (t *LoginThrottle) Len() (accounts, addresses int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.accounts.len(), t.addresses.len()
}

// hash runs fn (a bcrypt computation) when a slot is free, waiting at most HashWait.
func (t *LoginThrottle) hash(ctx context.Context, fn func()) error {
	select {
	case t.slots <- struct{}{}:
	default:
		select {
		case t.waiting <- struct{}{}:
		default:
			return t.busy()
		}
		timer := time.NewTimer(t.opts.HashWait)
		defer timer.Stop()
		select {
		case t.slots <- struct{}{}:
			<-t.waiting
		case <-timer.C:
			<-t.waiting
			return t.busy()
		case <-ctx.Done():
			<-t.waiting
			return ctx.Err()
		}
	}
	defer func() { <-t.slots }()
	fn()
	return nil
}

func (t *LoginThrottle) busy() error {
	return &engine.RetryError{Kind: engine.ErrUnavailable, Code: engine.CodeBusy, RetryAfter: time.Second,
		Message: "the server is busy checking passwords; try again in a moment"}
}

// roundUp renders a wait in whole seconds (or minutes past two minutes) for messages.
func roundUp(d time.Duration) time.Duration {
	if d > 2*time.Minute {
		return d.Round(time.Minute)
	}
	return ((d + time.Second - 1) / time.Second) * time.Second
}

// lru is a map of failures with a bound: adding past it forgets the least recently touched.
type lru struct {
	max   int
	order *list.List // front: most recent; values are string keys
	items map[string]*lruItem
}

type lruItem struct {
	f   failures
	el  *list.Element
	key string
}

func newLRU(max int) *lru { return &lru{max: max, order: list.New(), items: map[string]*lruItem{}} }

func (c *lru) get(key string) *failures {
	if it, ok := c.items[key]; ok {
		return &it.f
	}
	return nil
}

func (c *lru) add(key string) *failures {
	for len(c.items) >= c.max {
		oldest := c.order.Back()
		c.remove(oldest.Value.(string))
	}
	it := &lruItem{key: key}
	it.el = c.order.PushFront(key)
	c.items[key] = it
	return &it.f
}

func (c *lru) touch(key string) {
	if it, ok := c.items[key]; ok {
		c.order.MoveToFront(it.el)
	}
}

func (c *lru) remove(key string) {
	if it, ok := c.items[key]; ok {
		c.order.Remove(it.el)
		delete(c.items, key)
	}
}

func (c *lru) len() int { return len(c.items) }
