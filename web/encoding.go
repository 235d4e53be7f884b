package web

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Request bodies with a Content-Encoding are decoded here, once, before any handler
// runs: Fiber's c.Body() and fasthttp's MultipartForm inflate without a limit (the
// body limit only bounds the compressed bytes, so a 2 KB brotli body could grow to
// gigabytes). decodeBody inflates at most BodyLimit bytes, puts the decoded bytes in
// place of the body and removes the header, so that nothing downstream inflates again.

// supportedEncodings is what decodeBody undoes, for the Accept-Encoding of a 415.
const supportedEncodings = "gzip, deflate, br"

// maxCodings bounds the encodings stacked on one body ("gzip, br").
const maxCodings = 2

// slotWait is how long a request waits for a free decoding slot before a 503.
const slotWait = 5 * time.Second

// bodyDecoder undoes request Content-Encodings within a size limit. Its slots bound
// how many bodies are inflated at once (each needs up to limit bytes of output plus
// the decompressor's window), so that a flood of small encoded bodies cannot add up;
// inflating is CPU work, so a few at once keep the machine busy. Output is read into
// pooled scratch buffers and copied out at its exact size, so that a bomb leaves no
// garbage of the limit's size behind.
type bodyDecoder struct {
	limit int
	slots chan struct{}
	pool  sync.Pool // *inflater
}

func newBodyDecoder(limit int) *bodyDecoder {
	return &bodyDecoder{limit: limit, slots: make(chan struct{}, max(2, runtime.NumCPU()/2))}
}

// middleware decodes the body of a request with a Content-Encoding: 413 when the
// decoded body is larger than the limit, 400 when it is not valid in its encoding,
// 415 (with Accept-Encoding) for an encoding it does not know.
func (d *bodyDecoder) middleware(c *fiber.Ctx) error {
	req := c.Request()
	values := req.Header.PeekAll(fiber.HeaderContentEncoding)
	if len(values) == 0 {
		return c.Next()
	}
	codings, err := parseCodings(values)
	req.Header.Del(fiber.HeaderContentEncoding) // whatever happens, nobody downstream inflates
	if err != nil {
		c.Set(fiber.HeaderAcceptEncoding, supportedEncodings) // RFC 9110 §15.5.16
		return err
	}
	if len(codings) > 0 && len(req.Body()) > 0 {
		body, err := d.decode(req.Body(), codings)
		if err != nil {
			return err
		}
		req.SetBodyRaw(body)
		req.Header.SetContentLength(len(body))
	}
	return c.Next()
}

// parseCodings reads the Content-Encoding header lines into the list of codings in the
// order they were applied, identity left out.
func parseCodings(values [][]byte) ([]string, error) {
	var codings []string
	for _, v := range values {
		for part := range strings.SplitSeq(string(v), ",") {
			coding := strings.ToLower(strings.TrimSpace(part))
			switch coding {
			case "", "identity":
				continue
			case "gzip", "x-gzip", "deflate", "br":
			default:
				return nil, unsupportedEncoding(fmt.Sprintf("Content-Encoding %q is not supported; send the body with %s or without encoding", coding, supportedEncodings))
			}
			codings = append(codings, coding)
		}
	}
	if len(codings) > maxCodings {
		return nil, unsupportedEncoding(fmt.Sprintf("at most %d Content-Encodings may be stacked on a body, not %d", maxCodings, len(codings)))
	}
	return codings, nil
}

func unsupportedEncoding(msg string) error {
	return codedErr(fiber.StatusUnsupportedMediaType, codeBadEncoding, nil, msg)
}

// decode undoes codings (listed in the order they were applied) from the last to the
// first, each within the limit.
func (d *bodyDecoder) decode(body []byte, codings []string) ([]byte, error) {
	select {
	case d.slots <- struct{}{}:
	default:
		wait := time.NewTimer(slotWait)
		defer wait.Stop()
		select {
		case d.slots <- struct{}{}:
		case <-wait.C:
			return nil, &engine.RetryError{Kind: engine.ErrUnavailable, Code: engine.CodeBusy, RetryAfter: time.Second,
				Message: "the server is busy decoding other compressed request bodies; retry, or send this one without Content-Encoding"}
		}
	}
	defer func() { <-d.slots }()
	in, _ := d.pool.Get().(*inflater)
	if in == nil {
		in = &inflater{}
	}
	defer d.pool.Put(in)
	for i := len(codings) - 1; i >= 0; i-- {
		out, err := in.inflate(codings[i], body, d.limit)
		if err != nil {
			return nil, err
		}
		body = bytes.Clone(out)
	}
	return body, nil
}

// inflater holds an output buffer and decompressors, reused from one body to the next
// (a brotli reader keeps its ring buffer of up to the window's size, a flate reader
// its 32 KiB window).
type inflater struct {
	buf  []byte
	src  bytes.Reader
	gzip *gzip.Reader
	zlib io.ReadCloser // also a zlib.Resetter
	raw  io.ReadCloser // also a flate.Resetter
	br   *brotli.Reader
}

// inflate decodes one coding of body into the inflater's buffer, reading at most
// limit+1 decoded bytes. The result is valid until the next call.
func (in *inflater) inflate(coding string, body []byte, limit int) ([]byte, error) {
	var r io.Reader
	in.src.Reset(body)
	defer in.src.Reset(nil)
	switch coding {
	case "gzip", "x-gzip":
		var err error
		if in.gzip == nil {
			in.gzip, err = gzip.NewReader(&in.src)
		} else {
			err = in.gzip.Reset(&in.src)
		}
		if err != nil {
			return nil, corruptBody(coding, err)
		}
		r = in.gzip
	case "deflate":
		// RFC 9110 deflate is the zlib format; some clients send raw deflate.
		if isZlibHeader(body) {
			var err error
			if in.zlib == nil {
				in.zlib, err = zlib.NewReader(&in.src)
			} else {
				err = in.zlib.(zlib.Resetter).Reset(&in.src, nil)
			}
			if err != nil {
				in.zlib = nil
				return nil, corruptBody(coding, err)
			}
			r = in.zlib
		} else {
			if in.raw == nil {
				in.raw = flate.NewReader(&in.src)
			} else if err := in.raw.(flate.Resetter).Reset(&in.src, nil); err != nil {
				return nil, corruptBody(coding, err)
			}
			r = in.raw
		}
	case "br":
		if in.br == nil {
			in.br = brotli.NewReader(&in.src)
		} else {
			in.br.Reset(&in.src)
		}
		r = in.br
	default: // parseCodings lets only the above through
		return nil, unsupportedEncoding(fmt.Sprintf("Content-Encoding %q is not supported", coding))
	}
	out, err := readAtMost(r, limit+1, len(body), &in.buf)
	if coding == "br" && (err != nil || len(out) > limit) {
		in.br = nil // its Reset keeps unread input: reuse it only after a whole stream
	}
	if len(out) > limit {
		return nil, codedErr(fiber.StatusRequestEntityTooLarge, codeBodyTooLarge, engine.Params{"max": limit},
			fmt.Sprintf("request body is larger than the limit of %d bytes once decoded (Content-Encoding %s)", limit, coding))
	}
	if err != nil {
		return nil, corruptBody(coding, err)
	}
	return out, nil
}

// isZlibHeader reports whether b starts with a zlib header (RFC 1950: deflate method,
// header checksum).
func isZlibHeader(b []byte) bool {
	return len(b) >= 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0
}

func corruptBody(coding string, err error) error {
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		msg = "the data ends early"
	}
	return codedErr(fiber.StatusBadRequest, codeCorruptBody, engine.Params{"encoding": coding}, fmt.Sprintf("request body is not valid %s data (Content-Encoding): %s", coding, msg))
}

// readAtMost reads r to its end or to n bytes, whichever comes first, into
// *scratch, growing it (first guess: a few times the encoded size) to at most n bytes.
func readAtMost(r io.Reader, n, encoded int, scratch *[]byte) ([]byte, error) {
	buf := (*scratch)[:0]
	if cap(buf) < min(n, max(4*encoded, 512)) {
		buf = make([]byte, 0, min(n, max(4*encoded, 512)))
	}
	defer func() { *scratch = buf[:0] }()
	for len(buf) < n {
		if len(buf) == cap(buf) {
			buf = append(make([]byte, 0, min(2*cap(buf), n)), buf...)
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}
