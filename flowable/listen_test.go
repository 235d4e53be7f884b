package flowable_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestErrorsBeforeRouting: a request that fails before any handler runs (a multipart
// body that does not parse, a body over the limit) still answers in the API's error
// shape, not the pages' HTML (web.Config.PrefixErrors). Over a real listener:
// app.Test does not answer such requests.
func TestErrorsBeforeRouting(t *testing.T) {
	e := newTestEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.app.Listener(ln)
	t.Cleanup(func() { e.app.Shutdown() })
	base := "http://" + ln.Addr().String() + prefix + "/cmmn-repository/deployments"
	send := func(ct, body string) reply {
		req, _ := http.NewRequest("POST", base, strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", basic("dora"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return reply{Status: resp.StatusCode, Header: resp.Header, Body: b}
	}
	errorShape(t, send("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.json\"\r\n\r\n{\"name\""), 400)
	errorShape(t, send("multipart/form-data; boundary=x", strings.Repeat("x", 300<<10)), http.StatusRequestEntityTooLarge)
}
