package flowable

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/internal/jsondepth"
)

// decodeJSON reads the request body into v as seed 003 asks: a body that is not
// application/json, or JSON with an unknown property or a value of the wrong type,
// answers 415; malformed JSON, an empty body or nesting deeper than MaxJSONDepth 400.
func (a *API) decodeJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
	if ct != fiber.MIMEApplicationJSON && !(strings.HasPrefix(ct, "application/") && strings.HasSuffix(ct, "+json")) {
		if ct == "" {
			ct = "none"
		}
		return errStatus(fiber.StatusUnsupportedMediaType, "Content-Type must be application/json, not %s", ct)
	}
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("request body is empty; send a JSON object")
	}
	if err := checkDepth(body, a.cfg.MaxJSONDepth); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
			return badRequest("malformed JSON: %v", err)
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				return errStatus(fiber.StatusUnsupportedMediaType, "the body must be a JSON %s, not %s", jsonKind(te.Type.Kind().String()), te.Value)
			}
			return errStatus(fiber.StatusUnsupportedMediaType, "property %s must be a JSON %s, not %s", field, jsonKind(te.Type.Kind().String()), te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return errStatus(fiber.StatusUnsupportedMediaType, "unknown property %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return badRequest("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("malformed JSON: unexpected data after the JSON value")
	}
	return nil
}

// checkDepth refuses JSON nested deeper than max (400), before decoding it.
func checkDepth(body []byte, max int) error {
	if jsondepth.Exceeds(body, max) {
		return badRequest("JSON nested deeper than %d levels", max)
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "map", "struct":
		return "object"
	case "slice", "array":
		return "array"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "number"
	}
	return goKind
}
