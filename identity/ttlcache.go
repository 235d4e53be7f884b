package identity

import (
	"sync"
	"time"
)

// ttlCache maps keys to values that expire, for the caches of verified credentials,
// API tokens and accounts. Bounded: emptied when it grows past maxCached entries.
// Safe for concurrent use.
type ttlCache[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]ttlEntry[V]
}

type ttlEntry[V any] struct {
	val     V
	expires time.Time
}

const maxCached = 10000

// get returns the value of k and when it expires, unless it is missing or expired at now.
func (c *ttlCache[K, V]) get(k K, now time.Time) (V, time.Time, bool) {
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, time.Time{}, false
	}
	return e.val, e.expires, true
}

// put stores v under k until expires.
func (c *ttlCache[K, V]) put(k K, v V, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = make(map[K]ttlEntry[V])
	}
	c.m[k] = ttlEntry[V]{v, expires}
}

// replace stores v under k if k still holds the entry that expires then (not
// cleared or stored anew meanwhile).
func (c *ttlCache[K, V]) replace(k K, v V, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok && e.expires.Equal(expires) {
		c.m[k] = ttlEntry[V]{v, expires}
	}
}

func (c *ttlCache[K, V]) clear() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}
