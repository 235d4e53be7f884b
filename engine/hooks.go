package engine

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"flowcraft/engine/templates"
)

// Webhook triggers: the signature scheme, a webhook task's settings, and finding and
// rotating the token that addresses a webhook process.

const (
	// SignatureHeader carries a webhook request's signature: t=<unix seconds>,v1=<hex>.
	SignatureHeader = "X-Flowcraft-Signature"
	// SignatureTolerance is how far a signature's timestamp may be from the server's clock.
	SignatureTolerance = 5 * time.Minute

	// RespondImmediate answers a webhook at once with the instance id.
	RespondImmediate = "immediate"
	// RespondOnFinish answers a webhook with the workflow output when the instance ends.
	RespondOnFinish = "onFinish"
	// DefaultWebhookWait is how long an onFinish webhook waits when its task sets no timeout.
	DefaultWebhookWait = 30 * time.Second
	// MaxWebhookWait bounds the wait of an onFinish webhook.
	MaxWebhookWait = 60 * time.Second
)

// Sign returns the X-Flowcraft-Signature value of body at time t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<unix seconds>.<body>" keyed by secret>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(signature(secret, ts, body))
}

func signature(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifySignature checks an X-Flowcraft-Signature header against the raw body: the
// timestamp must be within SignatureTolerance of now and one of the v1 values must be
// the HMAC-SHA256 of "t.body" (compared in constant time). Several v1 values are
// allowed, so that a sender can sign with an old and a new secret while rotating.
// Errors are ErrUnauthorized with a message saying what is wrong.
func VerifySignature(secret, header string, body []byte, now time.Time) error {
	header = strings.TrimSpace(header)
	if header == "" {
		return Coded(ErrUnauthorized, CodeSignatureMissing, Params{"header": SignatureHeader}, "missing %s header: this webhook requires a signature, t=UNIX_SECONDS,v1=HEX with HEX the HMAC-SHA256 of t + \".\" + the raw body", SignatureHeader)
	}
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return Coded(ErrUnauthorized, CodeSignatureInvalid, nil, "malformed %s header: expected t=UNIX_SECONDS,v1=HEX", SignatureHeader)
		}
		switch k {
		case "t":
			if ts != "" {
				return Coded(ErrUnauthorized, CodeSignatureInvalid, nil, "malformed %s header: more than one t", SignatureHeader)
			}
			ts = v
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return Coded(ErrUnauthorized, CodeSignatureInvalid, nil, "malformed %s header: v1 must be 64 hex digits", SignatureHeader)
			}
			sigs = append(sigs, b)
		}
		// Other schemes (v0, ...) are ignored, as are unknown keys.
	}
	if ts == "" || len(sigs) == 0 {
		return Coded(ErrUnauthorized, CodeSignatureInvalid, nil, "malformed %s header: expected t=UNIX_SECONDS,v1=HEX", SignatureHeader)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Coded(ErrUnauthorized, CodeSignatureInvalid, nil, "malformed %s header: t must be unix seconds", SignatureHeader)
	}
	skew := now.Sub(time.Unix(sec, 0))
	if skew > SignatureTolerance || skew < -SignatureTolerance {
		return Coded(ErrUnauthorized, CodeSignatureExpired, Params{"window": int64(SignatureTolerance / time.Second)}, "signature timestamp is outside the %s window (off by %s); sign each request when sending it",
			SignatureTolerance, skew.Abs().Round(time.Second))
	}
	want := signature(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return Coded(ErrUnauthorized, CodeSignatureInvalid, nil, "signature mismatch: v1 must be the hex HMAC-SHA256 of t + \".\" + the raw body, keyed by the webhook's secret")
}

// WebhookSettings are the parameters of a process's webhook trigger task.
type WebhookSettings struct {
	Respond string        // RespondImmediate or RespondOnFinish
	Secret  string        // signing secret; empty: the token alone admits a request
	Wait    time.Duration // onFinish: how long to wait for the instance to end
}

// WebhookSettingsOf reads the webhook settings of a process's trigger task: respond
// (default immediate), secret, and the task's timeout as the onFinish wait (default
// DefaultWebhookWait, at most MaxWebhookWait).
func WebhookSettingsOf(p *Process) (WebhookSettings, error) {
	t := p.Task(p.StartTaskInstID)
	if p.TriggerApp != "webhook" || t == nil || t.Template != "webhook" {
		return WebhookSettings{}, Coded(ErrConflict, CodeNotWebhook, Params{"process": p.ID}, "process %s is not started by a webhook", p.ID)
	}
	raw := map[string]any{}
	for k, prm := range t.Parameters {
		if prm != nil {
			raw[k] = prm.Value
		}
	}
	values := templates.WithDefaults(templates.Webhook{}.Spec(), raw)
	ws := WebhookSettings{Respond: RespondImmediate, Wait: DefaultWebhookWait}
	if r, _ := values["respond"].(string); r == RespondOnFinish {
		ws.Respond = RespondOnFinish
	}
	if s, ok := values["secret"].(string); ok && !templates.IsUnset(s) {
		ws.Secret = s
	}
	if t.Timeout > 0 {
		ws.Wait = min(time.Duration(t.Timeout)*time.Millisecond, MaxWebhookWait)
	}
	return ws, nil
}

// mayStartByHand checks a start by hand (the API or the UI) of p by u. A process
// started by a webhook starts only through its hook, whose token (and signature, with
// a secret) admit the data; designers and admins may still start it by hand, and the
// instance records it (executor: them, triggerApp: manual).
func mayStartByHand(p *Process, u *User) error {
	if p.TriggerApp == "webhook" && !u.HasRole(RoleDesigner) {
		return Coded(ErrForbidden, CodeWebhookOnly, Params{"process": p.ID}, "process %s is started by its webhook (POST /api/hooks/{token}, signed when it has a secret), "+
			"not by hand; only designers and admins may start it here", p.ID)
	}
	return nil
}

// errNoWebhook is the one answer for unknown tokens and disabled processes alike, so
// that a caller cannot tell whether a token ever existed.
var errNoWebhook = Coded(ErrNotFound, CodeNoWebhook, nil, "no webhook answers at this address")

// Webhook returns the enabled webhook process addressed by token and its settings.
// Unknown tokens, disabled processes and processes no longer started by a webhook are
// all ErrNotFound with the same message.
func (d *Definitions) Webhook(ctx context.Context, token string) (*Process, WebhookSettings, error) {
	if !isToken(token) {
		return nil, WebhookSettings{}, errNoWebhook
	}
	// Webhooks are the hot path: reading and decoding the definition on every call
	// was a third of the server's CPU. Entries live a second (another flowcraft
	// process may change the definition) and go at once on a local change.
	if v, ok := d.hooks.Load(token); ok {
		e := v.(hookEntry)
		if d.now().Sub(e.at) < hookTTL {
			if e.p == nil {
				return nil, WebhookSettings{}, errNoWebhook
			}
			return e.p, e.ws, nil
		}
	}
	p, ws, err := d.lookupWebhook(ctx, token)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, WebhookSettings{}, err
	}
	d.hooks.Store(token, hookEntry{p: p, ws: ws, at: d.now()})
	return p, ws, err
}

// hookTTL bounds how long a change made by another flowcraft process may go unseen.
const hookTTL = time.Second

type hookEntry struct {
	p  *Process // nil: no enabled webhook answers at this token
	ws WebhookSettings
	at time.Time
}

// lookupWebhook reads the process of a token from the store.
func (d *Definitions) lookupWebhook(ctx context.Context, token string) (*Process, WebhookSettings, error) {
	p, err := d.store.ProcessByTriggerToken(ctx, token)
	if errors.Is(err, ErrNotFound) {
		return nil, WebhookSettings{}, errNoWebhook
	}
	if err != nil {
		return nil, WebhookSettings{}, err
	}
	if !p.Enabled {
		return nil, WebhookSettings{}, errNoWebhook
	}
	ws, err := WebhookSettingsOf(p)
	if err != nil {
		return nil, WebhookSettings{}, errNoWebhook
	}
	return p, ws, nil
}

// RotateToken gives a webhook process a new random token and returns it; the old one
// stops working at once. The definition's version does not change.
func (d *Definitions) RotateToken(ctx context.Context, id, by string) (string, error) {
	p, err := d.store.GetProcess(ctx, id)
	if err != nil {
		return "", err
	}
	if p.TriggerApp != "webhook" {
		app := p.TriggerApp
		if app == "" {
			app = "no trigger"
		}
		return "", Coded(ErrConflict, CodeNotWebhook, Params{"process": id}, "process %s is started by %s, not by a webhook; only webhook processes have a trigger token", id, app)
	}
	token := NewSecret()
	if err := d.store.SetTriggerToken(ctx, id, token, by); err != nil {
		return "", err
	}
	d.log.Info("webhook token rotated", "id", id, "by", by)
	d.changed(id)
	return token, nil
}

// isToken reports whether s looks like a token from NewSecret (64 lowercase hex digits).
func isToken(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
