package sqlite

import (
	"context"
	"fmt"
	"sync"

	"flowcraft/db"
	"flowcraft/engine"
)

// Group commit. Engine steps from many instances arrive at CommitStep concurrently;
// one goroutine, the committer, writes them in batches of up to maxBatch (step.go:
// one transaction per batch, one SAVEPOINT per step when one fails). Every step is
// durable before CommitStep returns, exactly as with one transaction per step, but
// the fixed cost of a commit is shared.

const maxBatch = 32

// commitReq is one queued step.
type commitReq struct {
	step *engine.Step
	// rows are the new runtimes' column values, encoded by the caller (see
	// CommitStepAsync) so the single writer goroutine only runs SQL.
	rows [][]any
	done chan error
	// then, for asynchronous commits, is called with the outcome instead of done.
	then func(error)
}

func (r commitReq) finish(err error) {
	if r.then != nil {
		r.then(err)
		return
	}
	r.done <- err
}

// committer is the queue of steps and the goroutine that writes them. Start launches
// the goroutine, Close drains the queue and stops it; newCommitter starts nothing.
type committer struct {
	// write writes a batch in the context given and returns each step's outcome.
	write func(ctx context.Context, batch []commitReq) []error
	queue chan commitReq

	mu      sync.RWMutex // held for reading while enqueuing, for writing to change state
	running bool         // Start was called
	closed  bool         // Close was called: the queue takes nothing more

	closing   chan struct{} // closed by Close: write what is queued, then stop
	done      chan struct{} // closed when the goroutine has stopped
	cancel    context.CancelFunc
	closeOnce sync.Once

	// abandoned counts the steps that were accepted but not written because the
	// writes' context ended (Close's deadline, or Start's context); cause is why.
	abandonMu sync.Mutex
	abandoned int
	cause     error
}

func newCommitter(size int, write func(context.Context, []commitReq) []error) *committer {
	return &committer{
		write:   write,
		queue:   make(chan commitReq, size),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
}

// Start launches the goroutine that writes the queue, in ctx: when ctx ends, what is
// queued and whatever comes after is abandoned (each step fails with an error matching
// db.ErrClosed) until Close. A second Start, or a Start after Close, does nothing.
func (c *committer) Start(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running || c.closed {
		return
	}
	c.running = true
	ctx, c.cancel = context.WithCancel(ctx)
	go c.run(ctx)
}

// Close stops taking steps, writes every step accepted before and stops the goroutine.
// If ctx ends first, the steps not yet written are abandoned (their callers get an
// error matching db.ErrClosed) and Close returns an error that says how many, matching
// db.ErrClosed and ctx's error. Close may be called more than once; each call reports
// the same outcome.
func (c *committer) Close(ctx context.Context) error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		running := c.running
		c.mu.Unlock()
		close(c.closing)
		if !running {
			close(c.done) // nothing was ever accepted
		}
	})
	select {
	case <-c.done: // drained (or never started)
	default:
		select {
		case <-c.done:
		case <-ctx.Done():
			c.abandon(0, context.Cause(ctx))
			c.cancel() // the batch in flight fails; the goroutine fails the rest and stops
			<-c.done
		}
	}
	c.abandonMu.Lock()
	defer c.abandonMu.Unlock()
	if c.abandoned > 0 {
		return fmt.Errorf("close committer: %d step(s) accepted but not written: %w: %w", c.abandoned, db.ErrClosed, c.cause)
	}
	return nil
}

// enqueue puts a request on the queue unless the committer is closing or not running.
// It blocks while the queue is full (back-pressure) or until ctx ends.
func (c *committer) enqueue(ctx context.Context, req commitReq) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed || !c.running {
		return db.ErrClosed
	}
	select {
	case c.queue <- req:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *committer) run(ctx context.Context) {
	defer close(c.done)
	defer c.cancel()
	batch := make([]commitReq, 0, maxBatch)
	for {
		select {
		case req := <-c.queue:
			batch = append(batch[:0], req)
			c.writeBatch(ctx, c.fill(batch))
		case <-c.closing:
			// Nothing can enter the queue any more (closed is set before closing is
			// closed, and enqueue holds the read lock while it sends): write what is
			// left, then stop.
			for {
				batch = c.fill(batch[:0])
				if len(batch) == 0 {
					return
				}
				c.writeBatch(ctx, batch)
			}
		}
	}
}

// fill adds queued requests to batch without waiting, up to maxBatch.
func (c *committer) fill(batch []commitReq) []commitReq {
	for len(batch) < maxBatch {
		select {
		case req := <-c.queue:
			batch = append(batch, req)
		default:
			return batch
		}
	}
	return batch
}

// writeBatch writes a batch and tells each step its outcome. Once ctx has ended the
// steps are abandoned instead: failed without being written.
func (c *committer) writeBatch(ctx context.Context, batch []commitReq) {
	var errs []error
	if ctx.Err() == nil {
		errs = c.write(ctx, batch)
	}
	for i, req := range batch {
		var err error
		if errs != nil {
			err = errs[i]
		}
		if ctx.Err() != nil && (errs == nil || err != nil) {
			// Not written: either never tried or failed because ctx ended meanwhile.
			c.abandon(1, context.Cause(ctx))
			err = fmt.Errorf("%w: step abandoned: %w", db.ErrClosed, context.Cause(ctx))
		}
		req.finish(err)
	}
}

// abandon counts n abandoned steps and remembers the first cause.
func (c *committer) abandon(n int, cause error) {
	c.abandonMu.Lock()
	defer c.abandonMu.Unlock()
	c.abandoned += n
	if c.cause == nil {
		c.cause = cause
	}
}
