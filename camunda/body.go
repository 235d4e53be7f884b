package camunda

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/internal/jsondepth"
)

// decodeJSON reads the request body into v as engine-rest's Jackson does: an empty
// body is {} (Camunda's EmptyBodyFilter; camunda-external-task-client-js sends unlock
// without one); a body that is not JSON by its Content-Type is 415
// NotSupportedException; malformed JSON 400 JsonParseException; an unknown property
// 400 UnrecognizedPropertyException; a value of the wrong type 400
// MismatchedInputException; nesting deeper than MaxJSONDepth 400.
func (a *API) decodeJSON(c *fiber.Ctx, v any, class string) error {
	body := bytes.TrimSpace(c.Body())
	if len(body) == 0 {
		body = []byte("{}")
	} else {
		ct := strings.ToLower(strings.TrimSpace(strings.SplitN(c.Get(fiber.HeaderContentType), ";", 2)[0]))
		if ct != fiber.MIMEApplicationJSON && !(strings.HasPrefix(ct, "application/") && strings.HasSuffix(ct, "+json")) {
			if ct == "" {
				ct = "none"
			}
			return &Error{Status: fiber.StatusUnsupportedMediaType, Type: "NotSupportedException",
				Message: "HTTP 415 Unsupported Media Type: Content-Type must be application/json, not " + ct}
		}
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
			return parseError("malformed JSON: %v", err)
		case errors.As(err, &te):
			if te.Field == "" {
				return mappingError("MismatchedInputException", "Cannot deserialize %s from JSON %s: the body must be a JSON object", class, te.Value)
			}
			return mappingError("MismatchedInputException", "Cannot deserialize value of type `%s` from JSON %s (through reference chain: %s[%q])",
				javaType(te.Type.Kind().String()), te.Value, class, te.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.TrimPrefix(err.Error(), "json: unknown field ")
			return mappingError("UnrecognizedPropertyException", "Unrecognized field %s (class %s), not marked as ignorable", field, class)
		}
		return parseError("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return parseError("malformed JSON: unexpected data after the JSON value")
	}
	return nil
}

func parseError(format string, args ...any) *Error {
	return &Error{Status: fiber.StatusBadRequest, Type: "JsonParseException", Message: fmt.Sprintf(format, args...)}
}

func mappingError(typ, format string, args ...any) *Error {
	return &Error{Status: fiber.StatusBadRequest, Type: typ, Message: fmt.Sprintf(format, args...)}
}

// checkDepth refuses JSON nested deeper than max (400), before decoding it.
func checkDepth(body []byte, max int) error {
	if jsondepth.Exceeds(body, max) {
		return parseError("JSON nested deeper than %d levels", max)
	}
	return nil
}

func javaType(goKind string) string {
	switch goKind {
	case "string":
		return "java.lang.String"
	case "bool", "ptr":
		return "java.lang.Boolean"
	case "map", "struct":
		return "java.lang.Object"
	case "slice", "array":
		return "java.util.List"
	case "int", "int32":
		return "java.lang.Integer"
	case "int64":
		return "java.lang.Long"
	}
	return goKind
}
