package web_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"mime/multipart"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"flowcraft/engine"
)

// Compression bombs, built from repeated pieces so that the test stays small and fast:
// each decodes to mib MiB of zeros and is a valid stream of its format.

var zeroMiB = make([]byte, 1<<20)

// gzipBomb is mib gzip members of 1 MiB of zeros each (a gzip file may have several).
func gzipBomb(t *testing.T, mib int) []byte {
	t.Helper()
	var member bytes.Buffer
	w, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	w.Write(zeroMiB)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.Repeat(member.Bytes(), mib)
}

// flateChunks compresses 1 MiB of zeros, flushes, and again: the second chunk depends
// only on zeros before it, so it can be repeated. end is the final empty block.
func flateChunks(t *testing.T) (first, again, end []byte) {
	t.Helper()
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	var chunks [][]byte
	for range 3 {
		w.Write(zeroMiB)
		w.Flush()
		chunks = append(chunks, bytes.Clone(buf.Bytes()))
		buf.Reset()
	}
	w.Close()
	if !bytes.Equal(chunks[1], chunks[2]) {
		t.Fatal("flate chunks differ; the bomb would be invalid")
	}
	return chunks[0], chunks[1], bytes.Clone(buf.Bytes())
}

// zlibBomb is a zlib stream (HTTP's deflate) of mib MiB of zeros.
func zlibBomb(t *testing.T, mib int) []byte {
	t.Helper()
	first, again, end := flateChunks(t)
	out := []byte{0x78, 0xda}
	out = append(out, first...)
	out = append(out, bytes.Repeat(again, mib-1)...)
	out = append(out, end...)
	// Adler-32 of n zeros: a = 1, b = n mod 65521.
	n := uint64(mib) << 20
	return binary.BigEndian.AppendUint32(out, uint32(n%65521)<<16|1)
}

// brotliBomb is a brotli stream of mib MiB of zeros (about 13 bytes per MiB).
func brotliBomb(t *testing.T, mib int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: 4, LGWin: 22})
	var chunks [][]byte
	for range 3 {
		w.Write(zeroMiB)
		w.Flush()
		chunks = append(chunks, bytes.Clone(buf.Bytes()))
		buf.Reset()
	}
	w.Close()
	if !bytes.Equal(chunks[1], chunks[2]) {
		t.Fatal("brotli chunks differ; the bomb would be invalid")
	}
	out := append(chunks[0], bytes.Repeat(chunks[1], mib-1)...)
	return append(out, buf.Bytes()...)
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// memWatch follows the heap while a request runs: the bytes allocated in all, and
// the largest HeapInuse seen above the start.
type memWatch struct {
	start runtime.MemStats
	peak  atomic.Uint64
	stop  chan struct{}
	done  chan struct{}
}

func watchMemory() *memWatch {
	runtime.GC()
	m := &memWatch{stop: make(chan struct{}), done: make(chan struct{})}
	runtime.ReadMemStats(&m.start)
	go func() {
		defer close(m.done)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		var s runtime.MemStats
		for {
			runtime.ReadMemStats(&s)
			if s.HeapInuse > m.start.HeapInuse && s.HeapInuse-m.start.HeapInuse > m.peak.Load() {
				m.peak.Store(s.HeapInuse - m.start.HeapInuse)
			}
			select {
			case <-m.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

// end stops watching and returns the bytes allocated and the peak heap growth.
func (m *memWatch) end() (allocated, peak uint64) {
	close(m.stop)
	<-m.done
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	return s.TotalAlloc - m.start.TotalAlloc, m.peak.Load()
}

// TestDecompressionBombs sends 1 GiB of zeros, compressed to at most 1 MiB, in each
// encoding to a route without authentication (login), a webhook, an authenticated
// API route and a page: each answers 413 in its usual error shape, and the server
// never holds (or even allocates) more than a few times the 4 MiB body limit.
func TestDecompressionBombs(t *testing.T) {
	e := newTestEnv(t)
	hookPID := e.createProcess(t, hookDef(map[string]any{"secret": "s3cret"}, nil, nil))
	hook := "/api/hooks/" + e.hookToken(t, hookPID)
	manual := e.createProcess(t, minimal("bombed"))
	const mib = 1024
	bombs := map[string][]byte{"gzip": gzipBomb(t, mib), "deflate": zlibBomb(t, mib), "br": brotliBomb(t, mib)}
	const bound = 64 << 20
	for enc, bomb := range bombs {
		if len(bomb) > 2<<20 {
			t.Fatalf("%s bomb is %d bytes; it must fit the body limit", enc, len(bomb))
		}
		for _, rt := range []struct{ path, auth, ct string }{
			{"/api/login", "", "application/json"},
			{hook, "", "application/json"},
			{"/api/process/" + manual, "lisi", "application/json"},
			{"/login", "", "application/x-www-form-urlencoded"},
		} {
			m := watchMemory()
			r := e.call(t, "POST", rt.path, rt.auth, bomb, "Content-Encoding", enc, "Content-Type", rt.ct)
			allocated, peak := m.end()
			t.Logf("%s to %s (%d bytes): %d, allocated %d MiB, heap peak +%d MiB", enc, rt.path, len(bomb), r.Status, allocated>>20, peak>>20)
			if r.Status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s bomb to %s: %d %.200s, want 413", enc, rt.path, r.Status, r.Body)
			}
			if strings.HasPrefix(rt.path, "/api/") {
				if msg, _ := r.json(t)["errorMessage"].(string); !strings.Contains(msg, "once decoded") {
					t.Errorf("%s bomb to %s: message %q", enc, rt.path, msg)
				}
			}
			if allocated > bound || peak > bound {
				t.Errorf("%s bomb to %s: allocated %d MiB, heap peak +%d MiB; the body was inflated beyond the limit",
					enc, rt.path, allocated>>20, peak>>20)
			}
		}
	}
}

func TestEncodedBodies(t *testing.T) {
	e := newTestEnv(t)
	pid := e.createProcess(t, hookDef(nil, nil, nil))
	hook := "/api/hooks/" + e.hookToken(t, pid)
	trigger := func(t *testing.T, r reply) map[string]any {
		t.Helper()
		if r.Status != http.StatusAccepted {
			t.Fatalf("hook: %d %s", r.Status, r.Body)
		}
		tr, _ := e.hookInstance(t, hookResponseID(t, r))["trigger"].(map[string]any)
		return tr
	}
	body := []byte(`{"amount": 42, "user": "u1"}`)
	var zl, raw, br bytes.Buffer
	zw := zlib.NewWriter(&zl)
	zw.Write(body)
	zw.Close()
	fw, _ := flate.NewWriter(&raw, flate.DefaultCompression)
	fw.Write(body)
	fw.Close()
	bw := brotli.NewWriter(&br)
	bw.Write(body)
	bw.Close()
	var stacked bytes.Buffer // gzip first, then br: "Content-Encoding: gzip, br"
	sw := brotli.NewWriter(&stacked)
	sw.Write(gzipped(t, body))
	sw.Close()
	for _, tc := range []struct {
		enc  string
		body []byte
	}{
		{"gzip", gzipped(t, body)},
		{"GZIP", gzipped(t, body)},
		{"x-gzip", gzipped(t, body)},
		{"deflate", zl.Bytes()},
		{"deflate", raw.Bytes()}, // raw deflate, as some clients send it
		{"br", br.Bytes()},
		{"gzip, br", stacked.Bytes()},
		{"identity", body},
	} {
		tr := trigger(t, e.call(t, "POST", hook, "", tc.body, "Content-Encoding", tc.enc))
		if tr["amount"] != 42.0 || tr["user"] != "u1" {
			t.Errorf("%s: trigger %v", tc.enc, tr)
		}
	}

	// The authenticated API and a session login decode alike.
	manual := e.createProcess(t, minimal("gz"))
	if r := e.call(t, "POST", "/api/process/"+manual, "lisi", gzipped(t, []byte(`{"n": 1}`)), "Content-Encoding", "gzip"); r.Status != http.StatusCreated {
		t.Errorf("gzip start: %d %s", r.Status, r.Body)
	}
	login := gzipped(t, []byte(`{"username": "lisi", "password": "`+testPassword+`"}`))
	if r := e.call(t, "POST", "/api/login", "", login, "Content-Encoding", "gzip"); r.Status != http.StatusOK {
		t.Errorf("gzip login: %d %s", r.Status, r.Body)
	}

	// A signature covers the decoded body.
	signed := e.createProcess(t, hookDef(map[string]any{"secret": "k"}, nil, nil))
	sigHook := "/api/hooks/" + e.hookToken(t, signed)
	if r := e.call(t, "POST", sigHook, "", gzipped(t, body), "Content-Encoding", "gzip",
		engine.SignatureHeader, engine.Sign("k", time.Now(), body)); r.Status != http.StatusAccepted {
		t.Errorf("signed gzip hook: %d %s", r.Status, r.Body)
	}

	// Multipart forms are read from the decoded body.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("name", "ada")
	mw.Close()
	tr := trigger(t, e.call(t, "POST", hook, "", gzipped(t, form.Bytes()), "Content-Encoding", "gzip", "Content-Type", mw.FormDataContentType()))
	if f, _ := tr["body"].(map[string]any); f["name"] != "ada" {
		t.Errorf("gzip multipart: trigger %v", tr)
	}

	// Bad input answers in the API's shape.
	corrupt := gzipped(t, body)
	corrupt[len(corrupt)/2] ^= 0xff
	for _, tc := range []struct {
		enc    string
		body   []byte
		status int
		msg    string
	}{
		{"gzip", []byte("not gzip at all"), http.StatusBadRequest, "not valid gzip"},
		{"gzip", corrupt, http.StatusBadRequest, "not valid gzip"},
		{"gzip", gzipped(t, body)[:20], http.StatusBadRequest, "ends early"},
		{"br", []byte{0xff, 0xff, 0xff, 0xff}, http.StatusBadRequest, "not valid br"},
		{"zstd", body, http.StatusUnsupportedMediaType, `"zstd" is not supported`},
		{"gzip, gzip, gzip", body, http.StatusUnsupportedMediaType, "at most 2"},
	} {
		r := e.call(t, "POST", hook, "", tc.body, "Content-Encoding", tc.enc)
		msg, _ := r.json(t)["errorMessage"].(string)
		if r.Status != tc.status || !strings.Contains(msg, tc.msg) {
			t.Errorf("%s %q: %d %s, want %d ~%q", tc.enc, tc.body, r.Status, r.Body, tc.status, tc.msg)
		}
		if tc.status == http.StatusUnsupportedMediaType && r.Header.Get("Accept-Encoding") != "gzip, deflate, br" {
			t.Errorf("%s: Accept-Encoding %q", tc.enc, r.Header.Get("Accept-Encoding"))
		}
	}
	// Decoders are reused: a body cut off at the limit leaves nothing behind for the next.
	for enc, bomb := range map[string][]byte{"gzip": gzipBomb(t, 8), "deflate": zlibBomb(t, 8), "br": brotliBomb(t, 8)} {
		good := map[string][]byte{"gzip": gzipped(t, body), "deflate": zl.Bytes(), "br": br.Bytes()}[enc]
		for range 3 {
			if r := e.call(t, "POST", hook, "", bomb, "Content-Encoding", enc); r.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("%s bomb: %d %s", enc, r.Status, r.Body)
			}
			if tr := trigger(t, e.call(t, "POST", hook, "", good, "Content-Encoding", enc)); tr["amount"] != 42.0 {
				t.Fatalf("%s after a bomb: trigger %v", enc, tr)
			}
		}
	}

	// A body at the limit once decoded is fine; one byte more is 413.
	small := newTestEnvWith(t, webConfigSmallBody)
	spid := small.createProcess(t, hookDef(nil, nil, nil))
	shook := "/api/hooks/" + small.hookToken(t, spid)
	limit := 64 << 10
	for _, n := range []int{limit, limit + 1} {
		text := bytes.Repeat([]byte("x"), n)
		r := small.call(t, "POST", shook, "", gzipped(t, text), "Content-Encoding", "gzip", "Content-Type", "text/plain")
		want := http.StatusAccepted
		if n > limit {
			want = http.StatusRequestEntityTooLarge
		}
		if r.Status != want {
			t.Errorf("%d bytes gzip'ed: %d %s, want %d", n, r.Status, r.Body, want)
		}
	}
}
