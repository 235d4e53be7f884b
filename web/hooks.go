package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"mime"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Webhook triggers: POST|GET /api/hooks/{trigger_token} (no session auth; the token,
// and with a secret the signature, admit the request) and token rotation.

// hookResponse is the answer of a webhook that does not reply with the output.
type hookResponse struct {
	ID       engine.ID `json:"id"`
	Status   string    `json:"status,omitempty"`   // when an onFinish wait ran out
	Existing bool      `json:"existing,omitempty"` // a repeated Idempotency-Key
}

// hook handles POST|GET /api/hooks/{trigger_token}. The body becomes the trigger (a
// JSON object as it is; anything else as {"body": ...}) and the request's method,
// query, headers and address become vars.webhook. respond=immediate answers 202 with
// the instance id; respond=onFinish waits for the instance and answers with its output
// and the status and headers its end task set (202 with the id if the wait runs out).
func (s *Server) hook(c *fiber.Ctx) error {
	// Also here, not only by path in securityHeaders: routes match any letter case.
	c.Set(fiber.HeaderContentSecurityPolicy, hookCSP)
	ctx := c.UserContext()
	token := param(c, "token")
	p, ws, err := s.deps.Definitions.Webhook(ctx, token)
	if err != nil {
		return err
	}
	body := c.Body() // any Content-Encoding was undone by the body decoder (encoding.go)
	if ws.Secret != "" {
		if err := engine.VerifySignature(ws.Secret, c.Get(engine.SignatureHeader), body, time.Now()); err != nil {
			return err
		}
	}
	key := strings.Clone(c.Get("Idempotency-Key"))
	if len(key) > 200 {
		return engine.InvalidField("Idempotency-Key", engine.CodeTooLong, engine.Params{"max": 200}, "the Idempotency-Key header may have at most 200 characters")
	}
	trigger, err := hookTrigger(c, body)
	if err != nil {
		return err
	}
	opts := engine.StartOptions{IdempotencyKey: key, IdempotencyScope: hookScope(token), TriggerApp: "webhook",
		Vars: map[string]any{"webhook": hookRequest(c)}}
	if ws.Respond == engine.RespondOnFinish {
		opts.Wait = ws.Wait
	}
	res, err := s.deps.Runtime.StartInstance(ctx, p.ID, trigger, opts)
	if err != nil {
		if errors.Is(err, engine.ErrConflict) || errors.Is(err, engine.ErrNotFound) {
			// Disabled (or deleted) since the lookup: answer as for any unknown address.
			if _, _, err2 := s.deps.Definitions.Webhook(ctx, token); errors.Is(err2, engine.ErrNotFound) {
				return err2
			}
		}
		return err
	}
	in := res.Instance
	c.Set("X-Flowcraft-Instance-Id", in.ID.String())
	if ws.Respond != engine.RespondOnFinish {
		return c.Status(fiber.StatusAccepted).JSON(envelope{Response: hookResponse{ID: in.ID, Existing: res.Existing}})
	}
	if !res.Ended {
		return c.Status(fiber.StatusAccepted).JSON(envelope{Response: hookResponse{ID: in.ID, Status: in.Status, Existing: res.Existing}})
	}
	if in.Status != engine.StatusDone {
		// The instance's error may name internal systems; the caller gets the id to
		// look it up with credentials.
		return codedErr(fiber.StatusInternalServerError, codeInstanceFailed, engine.Params{"id": in.ID.String(), "status": in.Status}, "instance "+in.ID.String()+" ended with status "+in.Status+
			"; see GET /api/processInst/"+in.ID.String())
	}
	return replyOutput(c, in)
}

// replyOutput answers with an ended instance's output and the status code and headers
// its end task set, within what a webhook answer may carry (replyHeaderAllowed,
// replyContentType; the security headers of secheaders.go stay). A string output
// with a text Content-Type set by the end task is sent as it is; anything else as JSON.
func replyOutput(c *fiber.Ctx, in *engine.Instance) error {
	status, contentType := fiber.StatusOK, ""
	if r := in.Reply; r != nil {
		if r.StatusCode >= 200 && r.StatusCode <= 599 {
			status = r.StatusCode
		}
		for k, v := range r.Headers {
			if !replyHeaderAllowed(k, status) {
				continue
			}
			v = strings.Map(func(r rune) rune {
				if r == '\r' || r == '\n' || r == 0 {
					return ' '
				}
				return r
			}, v)
			if strings.EqualFold(k, fiber.HeaderContentType) {
				contentType = replyContentType(v)
				continue
			}
			c.Set(k, v)
		}
	}
	c.Status(status)
	if status == fiber.StatusNoContent || status == fiber.StatusNotModified {
		return nil
	}
	if text, ok := in.Output.(string); ok && contentType != "" && !isJSONMedia(contentType) {
		c.Set(fiber.HeaderContentType, contentType)
		return c.SendString(text)
	}
	b, err := json.Marshal(in.Output)
	if err != nil {
		return err
	}
	if contentType == "" {
		contentType = fiber.MIMEApplicationJSON
	}
	c.Set(fiber.HeaderContentType, contentType)
	return c.Send(b)
}

// hookScope is the Idempotency-Key scope of a webhook's callers: its token (hashed, so
// that the key table holds no token), so that a rotated token starts a new scope.
func hookScope(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "hook:" + hex.EncodeToString(sum[:16])
}

// hookTrigger turns the request body into trigger data:
//   - empty body: {}
//   - JSON (application/json, application/*+json, or no Content-Type and a valid JSON
//     body): a JSON object is the trigger itself; any other JSON value is {"body": value}
//   - application/x-www-form-urlencoded and multipart/form-data: {"body": {field: value}}
//     (a field sent several times has an array of values; uploaded files are not kept)
//   - anything else: {"body": "<the body as text>"}
func hookTrigger(c *fiber.Ctx, body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	ct := strings.TrimSpace(c.Get(fiber.HeaderContentType))
	media, _, _ := mime.ParseMediaType(ct)
	switch {
	case isJSONMedia(media) || ct == "" && json.Valid(body):
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&v); err != nil {
			return nil, jsonError(body, err)
		}
		if dec.More() {
			return nil, errTrailingData
		}
		if obj, ok := v.(map[string]any); ok {
			return obj, nil
		}
		return map[string]any{"body": v}, nil
	case media == fiber.MIMEApplicationForm:
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, codedErr(fiber.StatusBadRequest, codeMalformedBody, nil, "malformed form body: "+err.Error())
		}
		return map[string]any{"body": valuesMap(vals)}, nil
	case media == fiber.MIMEMultipartForm:
		form, err := c.MultipartForm()
		if err != nil {
			return nil, codedErr(fiber.StatusBadRequest, codeMalformedBody, nil, "malformed multipart body: "+err.Error())
		}
		vals := url.Values{}
		for k, vs := range form.Value {
			for _, v := range vs {
				vals.Add(strings.Clone(k), strings.Clone(v))
			}
		}
		return map[string]any{"body": valuesMap(vals)}, nil
	}
	return map[string]any{"body": string(body)}, nil
}

// hookRequest describes the request for scripts (vars.webhook): method, query, headers
// (lower-case names; credentials left out) and the caller's address. Everything is
// copied: Fiber reuses its buffers after the handler returns.
func hookRequest(c *fiber.Ctx) map[string]any {
	query := url.Values{}
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
		query.Add(string(k), string(v))
	})
	headers := map[string]any{}
	c.Request().Header.VisitAll(func(k, v []byte) {
		name := strings.ToLower(string(k))
		switch name {
		case "authorization", "proxy-authorization", "cookie":
			return
		}
		if prev, ok := headers[name].(string); ok {
			headers[name] = prev + ", " + string(v)
			return
		}
		headers[name] = string(v)
	})
	return map[string]any{
		"method":  strings.Clone(c.Method()),
		"query":   valuesMap(query),
		"headers": headers,
		"ip":      strings.Clone(c.IP()),
	}
}

// valuesMap turns form or query values into a JSON object: one value as a string,
// several as an array of strings.
func valuesMap(vals url.Values) map[string]any {
	m := make(map[string]any, len(vals))
	for k, vs := range vals {
		if len(vs) == 1 {
			m[k] = vs[0]
			continue
		}
		arr := make([]any, len(vs))
		for i, v := range vs {
			arr[i] = v
		}
		m[k] = arr
	}
	return m
}

// isJSONMedia reports whether a media type is JSON (application/json or */*+json).
func isJSONMedia(ct string) bool {
	media, _, err := mime.ParseMediaType(ct)
	if err != nil {
		media = strings.ToLower(strings.TrimSpace(ct))
	}
	return media == fiber.MIMEApplicationJSON || strings.HasPrefix(media, "application/") && strings.HasSuffix(media, "+json")
}

// rotateToken handles POST /api/process/{id}/token: a new webhook token; the old one
// stops working at once.
func (s *Server) rotateToken(c *fiber.Ctx) error {
	token, err := s.deps.Definitions.RotateToken(c.UserContext(), param(c, "id"), caller(c).ID)
	if err != nil {
		return err
	}
	return ok(c, map[string]string{"triggerToken": token})
}
