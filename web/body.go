package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// decodeJSON parses the request body into v strictly: the content type must be JSON
// (415), the body must be one JSON value (400 naming the problem) and unknown fields
// are rejected (400), so that no field a client sends is silently dropped.
func decodeJSON(c *fiber.Ctx, v any) error {
	if err := requireJSON(c); err != nil {
		return err
	}
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return apiErr(fiber.StatusBadRequest, "request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apiErr(fiber.StatusBadRequest, describeJSONError(body, err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apiErr(fiber.StatusBadRequest, "malformed JSON: unexpected data after the JSON value")
	}
	return nil
}

// decodeOptionalJSON is decodeJSON for bodies that may be empty (then v is left as is).
func decodeOptionalJSON(c *fiber.Ctx, v any) error {
	if len(bytes.TrimSpace(c.Body())) == 0 {
		return nil
	}
	return decodeJSON(c, v)
}

func requireJSON(c *fiber.Ctx) error {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	if ct != fiber.MIMEApplicationJSON && !(strings.HasPrefix(ct, "application/") && strings.HasSuffix(ct, "+json")) {
		if ct == "" {
			ct = "none"
		}
		return apiErr(fiber.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type must be application/json, not %s", ct))
	}
	return nil
}

// describeJSONError turns encoding/json errors into messages that name the problem and
// where it is (line and column for syntax errors, the field for type errors).
func describeJSONError(body []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := position(body, se.Offset)
		return fmt.Sprintf("malformed JSON at line %d, column %d: %s", line, col, se.Error())
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return fmt.Sprintf("malformed JSON: expected %s, got JSON %s", te.Type, te.Value)
		}
		return fmt.Sprintf("field %q must be %s, not JSON %s", field, jsonKind(te.Type.Kind().String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON: the body ends in the middle of a value"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return fmt.Sprintf("unknown field %s; custom data belongs in \"extension\" or \"metadata\"", name)
	}
	return "malformed JSON: " + err.Error()
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	case "int", "int64", "int32", "float64", "float32", "uint", "uint64":
		return "a number"
	}
	return goKind
}

// position converts a byte offset into a 1-based line and column.
func position(body []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < offset-1 && i < int64(len(body)); i++ {
		if body[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
