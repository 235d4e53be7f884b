package web

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"flowcraft/engine"
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

// streams tracks open websockets so a shutdown can close them.
type streams struct {
	cfg    StreamConfig
	mu     sync.Mutex
	conns  map[*websocket.Conn]struct{}
	closed bool
	up     websocket.FastHTTPUpgrader
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
	return &streams{cfg: cfg, conns: map[*websocket.Conn]struct{}{}, up: websocket.FastHTTPUpgrader{
		ReadBufferSize: 1024, WriteBufferSize: 8192, HandshakeTimeout: 10 * time.Second,
		// The Origin is checked before upgrading (see checkOrigin).
		CheckOrigin: func(*fasthttp.RequestCtx) bool { return true },
	}}
}

func (st *streams) add(c *websocket.Conn) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return false
	}
	st.conns[c] = struct{}{}
	return true
}

func (st *streams) remove(c *websocket.Conn) {
	st.mu.Lock()
	delete(st.conns, c)
	st.mu.Unlock()
}

// CloseStreams closes every open websocket ("going away"); clients reconnect later.
func (s *Server) CloseStreams() {
	st := s.streams
	st.mu.Lock()
	st.closed = true
	conns := st.conns
	st.conns = map[*websocket.Conn]struct{}{}
	st.mu.Unlock()
	for c := range conns {
		c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"),
			time.Now().Add(time.Second))
		c.Close()
	}
}

// wsAuth authenticates a websocket request like the API does. Browsers authenticate
// with the session cookie, which a page of another site would send too: for cookie
// sessions the Origin must be this site (cross-site websocket hijacking).
func (s *Server) wsAuth(c *fiber.Ctx) (*engine.User, error) {
	if !websocket.FastHTTPIsWebSocketUpgrade(c.Context()) {
		return nil, apiErr(fiber.StatusUpgradeRequired, "this is a websocket endpoint: connect with a websocket client")
	}
	u, sess, err := s.identify(c)
	if err != nil {
		return nil, err
	}
	if sess != nil {
		if origin := c.Get(fiber.HeaderOrigin); origin != "" {
			o, err := url.Parse(origin)
			if err != nil || !strings.EqualFold(o.Host, c.Hostname()) {
				return nil, engine.Errorf(engine.ErrForbidden, "websocket from another site (%s) refused", origin)
			}
		}
	}
	return u, nil
}

// serve upgrades the request and runs stream on the websocket until either side ends.
// stream gets a write function that serializes and times out writes; it returns when
// the client is gone (done closed) or the stream ends.
func (s *Server) serve(c *fiber.Ctx, stream func(ctx context.Context, send func(v any) error, done <-chan struct{})) error {
	cfg := s.streams.cfg
	return s.streams.up.Upgrade(c.Context(), func(conn *websocket.Conn) {
		if !s.streams.add(conn) {
			conn.Close()
			return
		}
		defer func() {
			s.streams.remove(conn)
			conn.Close()
		}()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan struct{})
		// Reader: answers pings, notices the client going away; clients send nothing else.
		conn.SetReadLimit(4096)
		conn.SetReadDeadline(time.Now().Add(2 * cfg.PingInterval))
		conn.SetPongHandler(func(string) error {
			return conn.SetReadDeadline(time.Now().Add(2 * cfg.PingInterval))
		})
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
		go func() {
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
		wmu.Lock()
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		wmu.Unlock()
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
	switch ev.Type {
	case engine.EventNode:
		return nodeMessage{Type: "node", InstanceID: ev.InstanceID, ProcessID: ev.ProcessID, NodeRun: ev.Node}
	case engine.EventProcess:
		return processMessage{Type: "process", Instance: ev.Instance}
	}
	return nil
}

// wsInstance handles /ws/processInst/{inst_id}.
func (s *Server) wsInstance(c *fiber.Ctx) error {
	u, err := s.wsAuth(c)
	if err != nil {
		return err
	}
	v, err := s.watchedInstance(c, u)
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
		if err != nil || send(snapshotMessage{Type: "snapshot", InstanceView: snap}) != nil {
			return
		}
		pump(ctx, sub, send, done, runtimeMessage)
	})
}

// wsProcess handles /ws/process/{id}: events of every instance of a definition.
func (s *Server) wsProcess(c *fiber.Ctx) error {
	u, err := s.wsAuth(c)
	if err != nil {
		return err
	}
	if !u.HasRole(engine.RoleDesigner) {
		return engine.Errorf(engine.ErrForbidden, "watching a process needs the designer role")
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
		if err != nil || send(map[string]any{"type": "snapshot", "list": list_, "total": total}) != nil {
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
