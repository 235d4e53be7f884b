package web

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"flowcraft/engine"
)

// Fuzz targets of the request body paths: decodeJSON (every JSON endpoint), the body
// decoder (Content-Encoding), and hookTrigger (webhook bodies of any type). Seeds are in
// testdata/fuzz/<target>; run one with e.g. go test -fuzz=FuzzDecodeJSON -fuzztime=30s ./web/

// fuzzApp lends the fuzz targets their Fiber contexts.
var fuzzApp = sync.OnceValue(func() *fiber.App { return fiber.New() })

// fuzzCtx runs f with a Fiber context whose request has the given content type and body.
func fuzzCtx(t *testing.T, contentType string, body []byte, f func(c *fiber.Ctx)) {
	app := fuzzApp()
	var fctx fasthttp.RequestCtx
	fctx.Request.Header.SetMethod(fiber.MethodPost)
	fctx.Request.SetRequestURI("/fuzz")
	if contentType != "" {
		fctx.Request.Header.SetContentType(contentType)
	}
	fctx.Request.SetBody(body)
	c := app.AcquireCtx(&fctx)
	defer app.ReleaseCtx(c)
	f(c)
}

// apiStatus returns the status of an *APIError, failing the test for other errors.
func apiStatus(t *testing.T, err error, allowed ...int) int {
	t.Helper()
	var ae *APIError
	if !errors.As(err, &ae) {
		var ve *engine.ValidationError
		if errors.As(err, &ve) {
			return fiber.StatusBadRequest
		}
		t.Fatalf("error %T %v is not an API error", err, err)
	}
	for _, s := range allowed {
		if ae.StatusCode == s && ae.ErrorMessage != "" {
			return s
		}
	}
	t.Fatalf("status %d (%q), want one of %v with a message", ae.StatusCode, ae.ErrorMessage, allowed)
	return 0
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add("application/json", []byte(`{"name": "p", "tasks": [{"instId": "a", "template": "manual"}]}`))
	f.Add("application/json", []byte(`{"name": 1}`))
	f.Add("application/json", []byte("{\"name\": \"a\"}\n{\"name\": \"b\"}"))
	f.Add("application/problem+json", []byte(`{"nope": true}`))
	f.Add("text/plain", []byte(`{}`))
	f.Add("application/json", []byte("\n\n  {\"tasks\": [1, 2,"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		fuzzCtx(t, contentType, body, func(c *fiber.Ctx) {
			var p engine.Process
			err := decodeJSON(c, &p)
			if err == nil {
				if !json.Valid(body) {
					t.Fatalf("accepted invalid JSON %q", body)
				}
				return
			}
			apiStatus(t, err, fiber.StatusBadRequest, fiber.StatusUnsupportedMediaType)
			var login loginBody
			if err := decodeOptionalJSON(c, &login); err != nil {
				apiStatus(t, err, fiber.StatusBadRequest, fiber.StatusUnsupportedMediaType)
			}
		})
	})
}

func FuzzBodyDecoder(f *testing.F) {
	f.Add("gzip", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\xaaV\xcaK\xcc\xb5R2T\xaa\x05\x04\x00\x00\xff\xff\x8a\x8b\xa1\x0f\x0b\x00\x00\x00"))
	f.Add("deflate", []byte("x\x9c\xabV\xcaK\xcc\xb5R2T\xaa\x05\x00\x12\xc6\x03\x8f"))
	f.Add("deflate", []byte("\xabV\xcaK\xcc\xb5R2T\xaa\x05\x00"))
	f.Add("br", []byte("\x0b\x05\x80{\"na\":1}\x03"))
	f.Add("gzip, br", []byte{0x1f, 0x8b})
	f.Add("zstd", []byte{0x28, 0xb5, 0x2f, 0xfd})
	f.Fuzz(func(t *testing.T, encoding string, body []byte) {
		const limit = 1 << 16
		codings, err := parseCodings([][]byte{[]byte(encoding)})
		if err != nil {
			apiStatus(t, err, fiber.StatusUnsupportedMediaType)
			return
		}
		out, err := newBodyDecoder(limit).decode(body, codings)
		if err != nil {
			apiStatus(t, err, fiber.StatusBadRequest, fiber.StatusRequestEntityTooLarge)
			return
		}
		if len(out) > limit {
			t.Fatalf("decoded %d bytes past the limit %d", len(out), limit)
		}
	})
}

func FuzzHookTrigger(f *testing.F) {
	f.Add("application/json", []byte(`{"amount": 42, "user": "u1"}`))
	f.Add("application/json; charset=utf-8", []byte(`[1, 2]`))
	f.Add("", []byte(`"text"`))
	f.Add("", []byte(`hello`))
	f.Add("application/x-www-form-urlencoded", []byte(`a=1&b=2&b=3&c=%E4%B8%AD`))
	f.Add("application/x-www-form-urlencoded", []byte(`a=%zz`))
	f.Add("multipart/form-data; boundary=XX", []byte("--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XX--\r\n"))
	f.Add("multipart/form-data", []byte("--XX\r\n"))
	f.Add("text/plain", []byte("\xff\xfe"))
	f.Add("application/cloudevents+json", []byte(`{"type": "x"} {"type": "y"}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		fuzzCtx(t, contentType, body, func(c *fiber.Ctx) {
			trigger, err := hookTrigger(c, body)
			if err != nil {
				apiStatus(t, err, fiber.StatusBadRequest)
				return
			}
			m, ok := trigger.(map[string]any)
			if !ok {
				t.Fatalf("trigger %T is not an object", trigger)
			}
			if _, err := json.Marshal(m); err != nil {
				t.Fatalf("trigger cannot be stored: %v", err)
			}
			if strings.TrimSpace(string(body)) == "" && len(m) != 0 {
				t.Fatalf("empty body gave %v", m)
			}
		})
	})
}
