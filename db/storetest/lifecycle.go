package storetest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"flowcraft/db"
	"flowcraft/engine"
)

func testConcurrentWriters(f *fixture) {
	var wg sync.WaitGroup
	errs := make(chan error, 128)
	for i := range 64 {
		wg.Go(func() {
			p := sampleProcess(fmt.Sprintf("proc-w%07d", i))
			if err := f.s.InsertProcess(f.ctx, p); err != nil {
				errs <- err
			}
			if _, _, err := f.s.ListProcesses(f.ctx, engine.ProcessFilter{Page: engine.Page{Limit: 5}}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		f.Error(err)
	}
	if _, total, err := f.s.ListProcesses(f.ctx, engine.ProcessFilter{Page: engine.Page{Limit: 1}}); err != nil || total != 64 {
		f.Fatalf("total %d, %v", total, err)
	}
}

func testBackup(f *fixture) {
	f.process("proc-aaaaaaaa")
	dir := f.TempDir()
	dst := filepath.Join(dir, "backup")
	f.must(f.s.Backup(f.ctx, dst, db.BackupOptions{}), "backup")
	if st, err := os.Stat(dst); err != nil || st.Size() == 0 {
		f.Fatalf("the backup: %v %v", st, err)
	}
	f.must(os.WriteFile(dst, []byte("keep me"), 0o600), "write over the backup")
	f.wantErr(f.s.Backup(f.ctx, dst, db.BackupOptions{}), fs.ErrExist, "a backup onto an existing file")
	if b, _ := os.ReadFile(dst); string(b) != "keep me" {
		f.Error("a refused backup changed the file")
	}
	f.must(f.s.Backup(f.ctx, dst, db.BackupOptions{Overwrite: true}), "a backup with overwrite")
	if b, _ := os.ReadFile(dst); string(b) == "keep me" {
		f.Error("overwrite kept the old file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		f.Errorf("files beside the backup: %v", entries)
	}
	// The store keeps serving.
	f.process("proc-bbbbbbbb")
}

func testCloseWritesQueuedSteps(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	const n = 50
	var written atomic.Int64
	var failed []error
	var mu sync.Mutex
	for range n {
		r := f.newInstance(p.ID, engine.StatusDone, 0)
		f.must(f.s.CommitStepAsync(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes}, func(err error) {
			if err == nil {
				written.Add(1)
				return
			}
			mu.Lock()
			failed = append(failed, err)
			mu.Unlock()
		}), "queue a step")
	}
	f.closed = true
	f.must(f.s.Close(f.ctx), "close")
	if written.Load() != n || len(failed) != 0 {
		f.Errorf("when Close returned, %d of %d queued steps were written; failures %v", written.Load(), n, failed)
	}
	// A closed store refuses writes; it does not hang.
	r := f.newInstance(p.ID, engine.StatusDone, 0)
	f.wantErr(f.s.CommitStep(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes}), db.ErrClosed, "a step after Close")
	f.wantErr(f.s.CommitStepAsync(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes}, nil), db.ErrClosed,
		"an asynchronous step after Close")
	f.must(f.s.Close(f.ctx), "close twice")
}

func testCloseWithDeadline(f *fixture) {
	p := f.process("proc-aaaaaaaa")
	const n = 200
	outcomes := make(chan error, n)
	for range n {
		r := f.newInstance(p.ID, engine.StatusDone, 0)
		f.must(f.s.CommitStepAsync(f.ctx, &engine.Step{Instance: r.in, New: true, Nodes: r.nodes, Vars: typedVars(map[string]any{"x": 1.0})},
			func(err error) { outcomes <- err }), "queue a step")
	}
	// A deadline that has passed: Close may not wait for the queue. Whatever it did not
	// write is abandoned, and both Close and the steps say so.
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	f.closed = true
	closeErr := f.s.Close(ctx)
	abandoned := 0
	for range n {
		select {
		case err := <-outcomes:
			if err != nil {
				abandoned++
				if !errors.Is(err, db.ErrClosed) {
					f.Errorf("an abandoned step: %v, want an error matching db.ErrClosed", err)
				}
			}
		case <-time.After(time.Minute):
			f.Fatal("a queued step never learnt its outcome")
		}
	}
	switch {
	case abandoned == 0 && closeErr != nil:
		f.Errorf("Close: %v, though every step was written", closeErr)
	case abandoned > 0 && !errors.Is(closeErr, db.ErrClosed):
		f.Errorf("Close: %v, though %d steps were abandoned; want an error matching db.ErrClosed", closeErr, abandoned)
	}
	f.Logf("%d of %d steps abandoned; Close: %v", abandoned, n, closeErr)
}
