package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
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
		return codedErr(fiber.StatusBadRequest, codeEmptyBody, nil, "request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(body, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errTrailingData
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
		return codedErr(fiber.StatusUnsupportedMediaType, codeUnsupportedMedia, engine.Params{"got": ct},
			fmt.Sprintf("Content-Type must be application/json, not %s", ct))
	}
	return nil
}

// errTrailingData answers a body with more after its JSON value.
var errTrailingData = codedErr(fiber.StatusBadRequest, codeTrailingData, nil, "malformed JSON: unexpected data after the JSON value")

// jsonError turns an encoding/json error into a 400 that names the problem and
// where it is: malformed_json with the line and column of a syntax error,
// wrong_type with the field and the JSON type it needs, unknown_field.
func jsonError(body []byte, err error) *APIError {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	bad := func(code engine.Code, params engine.Params, msg string) *APIError {
		return codedErr(fiber.StatusBadRequest, code, params, msg)
	}
	switch {
	case errors.As(err, &se):
		line, col := position(body, se.Offset)
		return bad(codeMalformedJSON, engine.Params{"line": line, "column": col},
			fmt.Sprintf("malformed JSON at line %d, column %d: %s", line, col, se.Error()))
	case errors.As(err, &te):
		field := te.Field
		want := jsonKind(te.Type.Kind().String())
		if field == "" {
			return bad(engine.CodeWrongType, engine.Params{"field": "", "want": want},
				fmt.Sprintf("malformed JSON: expected %s, got JSON %s", te.Type, te.Value))
		}
		return bad(engine.CodeWrongType, engine.Params{"field": field, "want": want},
			fmt.Sprintf("field %q must be %s, not JSON %s", field, want, te.Value))
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(body, int64(len(body))+1)
		return bad(codeMalformedJSON, engine.Params{"line": line, "column": col}, "malformed JSON: the body ends in the middle of a value")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return bad(engine.CodeUnknownField, engine.Params{"field": strings.Trim(name, `"`)},
			fmt.Sprintf("unknown field %s; custom data belongs in \"extension\" or \"metadata\"", name))
	}
	return bad(codeMalformedJSON, engine.Params{"line": 0, "column": 0}, "malformed JSON: "+err.Error())
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
