package flowable_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
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
	errorShape(t, sendHeadOnly(t, ln.Addr().String(), 300<<10), http.StatusRequestEntityTooLarge)
}

// sendHeadOnly sends the head of a deployment upload that announces length bytes and
// reads the answer without sending the body: the server refuses it from its
// Content-Length and closes the connection, so a client still writing the body could
// see the reset before the answer (it did, once, under load).
func sendHeadOnly(t *testing.T, addr string, length int) reply {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Minute))
	if _, err := fmt.Fprintf(conn, "POST %s/cmmn-repository/deployments HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\n"+
		"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n", prefix, addr, basic("dora"), length); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: b}
}
