//go:build linux || darwin

package camunda

import (
	"errors"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
)

// watchClient calls gone when the client of a long poll closes its connection
// (fasthttp's RequestCtx does not tell): one goroutine parked in the netpoller until
// the socket turns readable, then a MSG_PEEK that reads nothing (EOF or an error:
// gone) or the first byte of a pipelined request (alive; nothing is consumed, the
// server reads it later). stop ends the watch (a read deadline in the past wakes the
// goroutine, then the deadline is cleared for fasthttp, which sets its own before its
// next read). The watch clears the read deadline fasthttp set for the request, so it
// lasts the whole poll, however long the server's ReadTimeout. Connections that are not raw sockets (TLS, app.Test's) are not watched.
func watchClient(c *fiber.Ctx, gone func()) (stop func()) {
	conn := c.Context().Conn()
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return func() {}
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return func() {}
	}
	// fasthttp's read deadline (ReadTimeout, set before it read the request) would
	// end the watch after ReadTimeout; the request is read whole already.
	_ = conn.SetReadDeadline(time.Time{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1)
		var (
			n    int
			perr error
		)
		err := rc.Read(func(fd uintptr) bool {
			n, _, perr = syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			return !errors.Is(perr, syscall.EAGAIN) && !errors.Is(perr, syscall.EINTR)
		})
		if err != nil { // the deadline of stop, or the connection closed under us
			return
		}
		if n == 0 || perr != nil {
			gone()
		}
	}()
	return func() {
		_ = conn.SetReadDeadline(time.Unix(1, 0))
		<-done
		_ = conn.SetReadDeadline(time.Time{})
	}
}
