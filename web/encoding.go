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

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
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

// bodyDecoder undoes request Content-Encodings within a size limit. Its slots bound
// how many bodies are inflated at once (each needs up to limit bytes of output plus
// the decompressor's window), so that a flood of small encoded bodies cannot add up.
type bodyDecoder struct {
	limit int
	slots chan struct{}
}

func newBodyDecoder(limit int) *bodyDecoder {
	return &bodyDecoder{limit: limit, slots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
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
	return apiErr(fiber.StatusUnsupportedMediaType, msg)
}

// decode undoes codings (listed in the order they were applied) from the last to the
// first, each within the limit.
func (d *bodyDecoder) decode(body []byte, codings []string) ([]byte, error) {
	d.slots <- struct{}{}
	defer func() { <-d.slots }()
	for i := len(codings) - 1; i >= 0; i-- {
		var err error
		if body, err = inflate(codings[i], body, d.limit); err != nil {
			return nil, err
		}
	}
	return body, nil
}

// inflate decodes one coding of body, reading at most limit+1 decoded bytes.
func inflate(coding string, body []byte, limit int) ([]byte, error) {
	var r io.Reader
	src := bytes.NewReader(body)
	switch coding {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, corruptBody(coding, err)
		}
		defer zr.Close()
		r = zr
	case "deflate":
		// RFC 9110 deflate is the zlib format; some clients send raw deflate.
		if isZlibHeader(body) {
			zr, err := zlib.NewReader(src)
			if err != nil {
				return nil, corruptBody(coding, err)
			}
			defer zr.Close()
			r = zr
		} else {
			fr := flate.NewReader(src)
			defer fr.Close()
			r = fr
		}
	case "br":
		r = brotli.NewReader(src)
	default: // parseCodings lets only the above through
		return nil, unsupportedEncoding(fmt.Sprintf("Content-Encoding %q is not supported", coding))
	}
	out, err := readAtMost(r, limit+1, len(body))
	if len(out) > limit {
		return nil, apiErr(fiber.StatusRequestEntityTooLarge,
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
	return apiErr(fiber.StatusBadRequest, fmt.Sprintf("request body is not valid %s data (Content-Encoding): %s", coding, msg))
}

// readAtMost reads r to its end or to n bytes, whichever comes first, growing its
// buffer (first guess: a few times the encoded size) to at most n bytes.
func readAtMost(r io.Reader, n, encoded int) ([]byte, error) {
	buf := make([]byte, 0, min(n, max(4*encoded, 512)))
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
