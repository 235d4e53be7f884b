package web

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"flowcraft/engine"
	"flowcraft/identity"
)

// Websockets (DESIGN §6): /ws/processInst/{id} streams one instance (first message: a
// snapshot shaped like GET /api/processInst/{id}), /ws/process/{id} every instance of a
// definition, /ws/inbox the signed-in user's task changes. A client that cannot keep
// up is dropped (its bounded queue overflows); it reconnects and gets a new snapshot.

// EventSource is the engine's event hub as the websocket handlers need it.
type EventSource interface {
	Subscribe(processID string, instanceID engine.ID, size int) *engine.Subscription
}

// StreamConfig tunes the websockets.
type StreamConfig struct {
	QueueSize    int           // events buffered per client before it is dropped; default 256
	PingInterval time.Duration // default 30s; a client silent for 2 intervals is dropped
	WriteTimeout time.Duration // default 10s
}

// streams tracks open websockets so a shutdown can close them, and so can a change of
// their user's rights or the end of their session.
type streams struct {
	cfg    StreamConfig
	mu     sync.Mutex
	conns  map[*wsStream]struct{}
	closed bool
	up     websocket.FastHTTPUpgrader

	// seq counts identity changes; recent keeps the last ones, so that a stream
	// authenticated before a change but registered after it is refused, too.
	seq    uint64
	recent []seqChange
}

type seqChange struct {
	seq uint64
	ch  identity.Change
}

// recentChanges is how many identity changes are kept for streams still opening.
const recentChanges = 64

// localStreamSince holds streams.seq as it was before a websocket request was authenticated.
const localStreamSince = "streamSince"

// streamOwner is who opened a websocket: the user, and the session's key when the
// browser session authenticated it.
type streamOwner struct {
	user    string
	session string
}

// hitBy reports whether ch ends the rights the stream was opened with.
func (o streamOwner) hitBy(ch identity.Change) bool {
	if ch.Session != "" {
		return o.session == ch.Session
	}
	if ch.Credentials && o.session != "" {
		return false
	}
	return ch.UserID != "" && o.user == ch.UserID
}

// wsStream is one open websocket. Others may end it (close) until its handler is
// done: fasthttp recycles the connection when the handler returns, so after that
// nobody may touch it, and the handler waits for its reader goroutine first.
type wsStream struct {
	conn  *websocket.Conn
	owner streamOwner
	mu    sync.Mutex
	ended bool // a close frame was sent (or the handler is done)
}

// close sends a close frame with code and reason and wakes the stream's reader, which
// ends the stream. It does nothing once the stream ended.
func (w *wsStream) close(code int, reason string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ended {
		return
	}
	w.ended = true
	w.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	w.conn.SetReadDeadline(time.Now())
}

// extendRead moves the read deadline (on pongs) unless the stream is ending.
func (w *wsStream) extendRead(d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ended {
		return nil
	}
	return w.conn.SetReadDeadline(time.Now().Add(d))
}

func newStreams(cfg StreamConfig) *streams {
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 256
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 30 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	return &streams{cfg: cfg, conns: map[*wsStream]struct{}{}, up: websocket.FastHTTPUpgrader{
		ReadBufferSize: 1024, WriteBufferSize: 8192, HandshakeTimeout: 10 * time.Second,
		// The Origin is checked before upgrading (see checkOrigin).
		CheckOrigin: func(*fasthttp.RequestCtx) bool { return true },
	}}
}

// add registers a stream authenticated when streams.seq was since. It refuses (with
// a close code and reason) when the server is closing or the owner's rights changed
// since; code 0 means registered.
func (st *streams) add(w *wsStream, since uint64) (code int, reason string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return websocket.CloseGoingAway, "server shutting down"
	}
	if st.seq-since > uint64(len(st.recent)) {
		return websocket.ClosePolicyViolation, "rights changed; reconnect"
	}
	for _, r := range st.recent {
		if r.seq > since && w.owner.hitBy(r.ch) {
			return websocket.ClosePolicyViolation, r.ch.Reason
		}
	}
	st.conns[w] = struct{}{}
	return 0, ""
}

// changeSeq is the number of identity changes so far.
func (st *streams) changeSeq() uint64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.seq
}

func (st *streams) remove(w *wsStream) {
	st.mu.Lock()
	delete(st.conns, w)
	st.mu.Unlock()
}

// CloseStreams closes every open websocket ("going away"); clients reconnect later.
func (s *Server) CloseStreams() {
	st := s.streams
	st.mu.Lock()
	st.closed = true
	conns := st.conns
	st.conns = map[*wsStream]struct{}{}
	st.mu.Unlock()
	for w := range conns {
		w.close(websocket.CloseGoingAway, "server shutting down")
	}
}

// identityChanged closes the websockets opened with rights that changed: every one of
// a user who was disabled, deleted, or had their role, groups or password changed, or
// the ones of a session that ended. Clients see close code 1008 (policy violation)
// with the reason; a client still entitled reconnects and gets a fresh snapshot.
func (s *Server) identityChanged(ch identity.Change) {
	st := s.streams
	st.mu.Lock()
	st.seq++
	st.recent = append(st.recent, seqChange{seq: st.seq, ch: ch})
	if len(st.recent) > recentChanges {
		st.recent = slices.Delete(st.recent, 0, len(st.recent)-recentChanges)
	}
	var hit []*wsStream
	for w := range st.conns {
		if w.owner.hitBy(ch) {
			hit = append(hit, w)
		}
	}
	st.mu.Unlock()
	for _, w := range hit {
		go w.close(websocket.ClosePolicyViolation, ch.Reason)
	}
}

// wsAuth authenticates a websocket request like the API does. Browsers authenticate
// with the session cookie, which a page of another site would send too: for cookie
// sessions the Origin must be this site (cross-site websocket hijacking).
func (s *Server) wsAuth(c *fiber.Ctx) (*engine.User, error) {
	if !websocket.FastHTTPIsWebSocketUpgrade(c.Context()) {
		return nil, codedErr(fiber.StatusUpgradeRequired, codeUpgradeRequired, nil, "this is a websocket endpoint: connect with a websocket client")
	}
	c.Locals(localStreamSince, s.streams.changeSeq())
	u, sess, err := s.identify(c)
	if err != nil {
		return nil, err
	}
	if sess != nil {
		if origin := c.Get(fiber.HeaderOrigin); origin != "" {
			o, err := url.Parse(origin)
			if err != nil || !strings.EqualFold(o.Host, c.Hostname()) {
				return nil, engine.Coded(engine.ErrForbidden, engine.CodeCrossSite, engine.Params{"origin": origin}, "websocket from another site (%s) refused", origin)
			}
		}
		c.Locals(localSession, sess)
	}
	c.Locals(localUser, u)
	return u, nil
}

// serve upgrades the request and runs stream on the websocket until either side ends.
// stream gets a write function that serializes and times out writes; it returns when
// the client is gone (done closed) or the stream ends.
func (s *Server) serve(c *fiber.Ctx, stream func(ctx context.Context, send func(v any) error, done <-chan struct{})) error {
	cfg := s.streams.cfg
	owner := streamOwner{}
	if u := caller(c); u != nil {
		owner.user = u.ID
	}
	var expires time.Time
	if sess := callerSession(c); sess != nil {
		owner.session = sess.Key
		expires = time.UnixMilli(sess.ExpiresAt)
	}
	since, _ := c.Locals(localStreamSince).(uint64)
	return s.streams.up.Upgrade(c.Context(), func(conn *websocket.Conn) {
		w := &wsStream{conn: conn, owner: owner}
		if code, reason := s.streams.add(w, since); code != 0 {
			w.close(code, reason)
			return
		}
		defer s.streams.remove(w)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		var pinging sync.WaitGroup
		// fasthttp recycles the connection when this handler returns: end the stream
		// (a normal close unless someone closed it already), then wait for the reader
		// and the pinger, which use the connection too.
		defer func() {
			cancel()
			w.close(websocket.CloseNormalClosure, "")
			<-done
			pinging.Wait()
		}()
		if !expires.IsZero() {
			// A session's stream ends with the session.
			t := time.AfterFunc(time.Until(expires), func() { w.close(websocket.ClosePolicyViolation, "session expired") })
			defer t.Stop()
		}
		// Reader: answers pings, notices the client going away; clients send nothing else.
		conn.SetReadLimit(4096)
		w.extendRead(2 * cfg.PingInterval)
		conn.SetPongHandler(func(string) error { return w.extendRead(2 * cfg.PingInterval) })
		go func() {
			defer close(done)
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
			}
		}()
		var wmu sync.Mutex
		send := func(v any) error {
			b, err := json.Marshal(v)
			if err != nil {
				return err
			}
			wmu.Lock()
			defer wmu.Unlock()
			conn.SetWriteDeadline(time.Now().Add(cfg.WriteTimeout))
			return conn.WriteMessage(websocket.TextMessage, b)
		}
		pinger := time.NewTicker(cfg.PingInterval)
		defer pinger.Stop()
		pinging.Add(1)
		go func() {
			defer pinging.Done()
			for {
				select {
				case <-pinger.C:
					wmu.Lock()
					err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(cfg.WriteTimeout))
					wmu.Unlock()
					if err != nil {
						cancel()
						return
					}
				case <-ctx.Done():
					return
				}
			}
		}()
		stream(ctx, send, done)
	})
}

// pump sends the events of a subscription until the client goes, the context ends,
// or the subscription is dropped for being too slow (then the client is told so).
func pump(ctx context.Context, sub *engine.Subscription, send func(any) error, done <-chan struct{}, pass func(engine.Event) any) {
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				send(map[string]any{"type": "dropped", "reason": "too slow: reconnect to resync"})
				return
			}
			if msg := pass(ev); msg != nil {
				if err := send(msg); err != nil {
					return
				}
			}
		case <-done:
			return
		case <-ctx.Done():
			return
		}
	}
}

// nodeMessage is a runtime change: {"type": "node", "instanceId", ...runtime}.
type nodeMessage struct {
	Type       string    `json:"type"`
	InstanceID engine.ID `json:"instanceId"`
	ProcessID  string    `json:"processId"`
	*engine.NodeRun
}

// processMessage is an instance change: {"type": "process", ...instance}.
type processMessage struct {
	Type string `json:"type"`
	*engine.Instance
}

// snapshotMessage is the first message of /ws/processInst: the instance as the API shows it.
type snapshotMessage struct {
	Type string `json:"type"`
	*engine.InstanceView
}

// taskMessage is a human task change: {"type": "task", ...task}.
type taskMessage struct {
	Type string `json:"type"`
	*engine.HumanTask
}

func runtimeMessage(ev engine.Event) any {
	return redactedRuntimeMessage(nil)(ev)
}

// redactedRuntimeMessage is runtimeMessage with the secrets x hides scrubbed.
func redactedRuntimeMessage(x *engine.Redaction) func(engine.Event) any {
	return func(ev engine.Event) any {
		switch ev.Type {
		case engine.EventNode:
			return nodeMessage{Type: "node", InstanceID: ev.InstanceID, ProcessID: ev.ProcessID, NodeRun: x.Node(ev.Node)}
		case engine.EventProcess:
			return processMessage{Type: "process", Instance: x.Instance(ev.Instance)}
		}
		return nil
	}
}

// wsInstance handles /ws/processInst/{inst_id}.
func (s *Server) wsInstance(c *fiber.Ctx) error {
	u, err := s.wsAuth(c)
	if err != nil {
		return err
	}
	v, x, err := s.watchedInstance(c, u)
	if err != nil {
		return err
	}
	id := v.ID
	return s.serve(c, func(ctx context.Context, send func(any) error, done <-chan struct{}) {
		// Subscribe first, then take the snapshot: an event in between arrives twice,
		// never not at all; clients apply events by runtime id.
		sub := s.deps.Events.Subscribe("", id, s.streams.cfg.QueueSize)
		defer sub.Close()
		snap, err := s.deps.Runtime.Describe(ctx, id)
		if err != nil || send(snapshotMessage{Type: "snapshot", InstanceView: x.View(snap)}) != nil {
			return
		}
		pump(ctx, sub, send, done, redactedRuntimeMessage(x))
	})
}

// wsProcess handles /ws/process/{id}: events of every instance of a definition.
func (s *Server) wsProcess(c *fiber.Ctx) error {
	u, err := s.wsAuth(c)
	if err != nil {
		return err
	}
	if !u.HasRole(engine.RoleDesigner) {
		return engine.Coded(engine.ErrForbidden, engine.CodeRoleRequired, engine.Params{"role": engine.RoleDesigner, "have": u.Role}, "watching a process needs the designer role")
	}
	pid := param(c, "id")
	if _, err := s.deps.Definitions.Get(c.UserContext(), pid); err != nil {
		return err
	}
	return s.serve(c, func(ctx context.Context, send func(any) error, done <-chan struct{}) {
		sub := s.deps.Events.Subscribe(pid, 0, s.streams.cfg.QueueSize)
		defer sub.Close()
		if send(map[string]any{"type": "subscribed", "processId": pid}) != nil {
			return
		}
		pump(ctx, sub, send, done, runtimeMessage)
	})
}

// wsInbox handles /ws/inbox: the signed-in user's tasks as they are created, claimed,
// delegated, completed or closed. The first message is the first page of the inbox.
func (s *Server) wsInbox(c *fiber.Ctx) error {
	u, err := s.wsAuth(c)
	if err != nil {
		return err
	}
	return s.serve(c, func(ctx context.Context, send func(any) error, done <-chan struct{}) {
		sub := s.deps.Events.Subscribe("", 0, s.streams.cfg.QueueSize)
		defer sub.Close()
		list_, total, err := s.deps.Tasks.Inbox(ctx, u, engine.InboxFilter{Page: engine.Page{Limit: defaultLimit}})
		if err != nil || send(map[string]any{"type": "snapshot", "list": s.inboxItems(list_), "total": total}) != nil {
			return
		}
		pump(ctx, sub, send, done, func(ev engine.Event) any {
			if ev.Type != engine.EventTask || !ev.Task.MaySee(u) {
				return nil
			}
			return taskMessage{Type: "task", HumanTask: ev.Task}
		})
	})
}
