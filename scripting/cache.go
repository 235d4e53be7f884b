package scripting

import (
	"container/list"
	"sync"
)

// cacheKey identifies a compiled program: the same text compiles differently
// as a script body, a bare expression or a template.
type cacheKey struct {
	kind progKind
	src  string
}

type cacheEntry struct {
	key cacheKey
	p   *program
}

// programCache is a thread-safe LRU of compiled programs keyed by source.
// Failed compilations are cached too, so a broken expression evaluated in a
// loop is not re-parsed every time. Besides the number of programs, the
// total length of their sources is bounded (maxCacheBytes): sources may be
// up to MaxSourceSize long and compiled programs grow with them.
type programCache struct {
	mu       sync.Mutex
	max      int
	maxBytes int // maxCacheBytes; a field for tests
	bytes    int // total source length
	ll       *list.List
	items    map[cacheKey]*list.Element
}

// maxCacheBytes bounds the total source length of the cached programs.
const maxCacheBytes = 32 << 20

func newProgramCache(max int) *programCache {
	return &programCache{max: max, maxBytes: maxCacheBytes, ll: list.New(), items: make(map[cacheKey]*list.Element)}
}

func (c *programCache) get(k cacheKey) (*program, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		return nil, false
	}
	if c.ll.Front() != el {
		c.ll.MoveToFront(el)
	}
	return el.Value.(*cacheEntry).p, true
}

// add stores p under k and returns the program that is cached under k
// afterwards (an existing one wins, so concurrent compilers share a program).
func (c *programCache) add(k cacheKey, p *program) *program {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.ll.MoveToFront(el)
		return el.Value.(*cacheEntry).p
	}
	c.items[k] = c.ll.PushFront(&cacheEntry{key: k, p: p})
	c.bytes += len(k.src)
	for c.ll.Len() > c.max || c.bytes > c.maxBytes && c.ll.Len() > 1 {
		last := c.ll.Back()
		c.ll.Remove(last)
		key := last.Value.(*cacheEntry).key
		delete(c.items, key)
		c.bytes -= len(key.src)
	}
	return p
}

func (c *programCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
