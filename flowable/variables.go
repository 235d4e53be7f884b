package flowable

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Variables as seed 003 shows them ("变量表示"): {name, type, value, valueUrl, scope}.
// The representation and its conversion live here so that task variables (part 2)
// use the same.
//
// Writing: a variable without a type gets one inferred from its JSON value (text:
// string, true/false: boolean, a whole number: integer, or long beyond 32 bits,
// another number: double, an object or array: json, null: null); a declared type
// takes the values seed 003 lists (numbers also as text, a date as ISO-8601 text).
// A value that does not fit its type, an unknown type or a missing name is a 400; a
// property that is not one of the five, or a name or type that is not JSON text, a
// 415. Binary variables are uploaded as multipart/form-data (a file part, and the
// fields name and type) and read back from valueUrl (…/variables/{name}/data).
//
// Reading: short, integer and long are JSON numbers (every digit kept), double a
// number, boolean, string and json as themselves, a date ISO-8601 text in the
// server's zone, a binary variable null with its valueUrl. Case instance variables
// have one scope, "local".

// restVariable is a variable as this API answers it.
type restVariable struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Value    any    `json:"value"`
	ValueURL string `json:"valueUrl,omitempty"`
	Scope    string `json:"scope"`
}

// variableIn is a variable as a client writes it.
type variableIn struct {
	Name     *string         `json:"name"`
	Type     *string         `json:"type"`
	Value    json.RawMessage `json:"value"`
	ValueURL *string         `json:"valueUrl"` // read-only: ignored (a client may send back what it read)
	Scope    *string         `json:"scope"`
}

// scopeLocal is the one scope of case instance variables.
const scopeLocal = "local"

// restVariableOf converts an engine variable; dataURL is the URL of its /data (for
// binary variables).
func restVariableOf(v *engine.Variable, dataURL string, loc *time.Location) restVariable {
	out := restVariable{Name: v.Name, Type: v.Type, Value: v.Value, Scope: scopeLocal}
	switch x := v.Value.(type) {
	case time.Time:
		out.Value = x.In(loc).Format("2006-01-02T15:04:05.000Z07:00")
	}
	if v.Type == engine.VarBinary {
		out.Value, out.ValueURL = nil, dataURL
	}
	return out
}

// toVariable checks a written variable and returns the engine's form of it (not yet
// canonical: the engine checks the value against the type). name, when not "", is
// the name the URL gives (PUT …/variables/{name}): the body may omit it or repeat it.
func toVariable(in variableIn, field, name string) (engine.Variable, error) {
	var v engine.Variable
	switch {
	case in.Name != nil && name != "" && *in.Name != name:
		return v, badRequest("%sname %q does not match the variable %q of the URL", field, *in.Name, name)
	case in.Name != nil:
		v.Name = *in.Name
	default:
		v.Name = name
	}
	if strings.TrimSpace(v.Name) == "" {
		return v, badRequest("%sname is required: every variable needs a name", field)
	}
	if in.Scope != nil && *in.Scope != "" && *in.Scope != scopeLocal && *in.Scope != "global" {
		return v, badRequest("%sscope must be local or global, not %q (a case instance has one scope)", field, *in.Scope)
	}
	if in.Type != nil {
		v.Type = *in.Type
	}
	if v.Type == engine.VarBinary {
		return v, badRequest("variable %s: a binary variable is uploaded as multipart/form-data (a file part and the fields name and type)", v.Name)
	}
	if v.Type == "serializable" {
		return v, errStatus(fiber.StatusUnsupportedMediaType, "variable %s: serializable (Java) variables are not supported", v.Name)
	}
	if len(bytes.TrimSpace(in.Value)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(in.Value))
		dec.UseNumber() // every digit of a long
		if err := dec.Decode(&v.Value); err != nil {
			return v, badRequest("%svalue: malformed JSON: %v", field, err)
		}
		switch v.Value.(type) {
		case map[string]any, []any:
			// Nested numbers as plain numbers: scripts see them.
			v.Value = nil
			if err := json.Unmarshal(in.Value, &v.Value); err != nil {
				return v, badRequest("%svalue: malformed JSON: %v", field, err)
			}
		}
	}
	if v.Type != "" {
		// The engine checks the value against it; the type must be one it knows.
		known := v.Type == engine.VarNull
		for _, t := range engine.VarTypes {
			known = known || t == v.Type
		}
		if !known {
			return v, badRequest("variable %s: unknown type %q; use one of %s", v.Name, v.Type, strings.Join(engine.VarTypes, ", "))
		}
	}
	return v, nil
}

// toVariables converts a list of written variables (field names the list, for
// messages: "variables"); a name twice is a 400.
func toVariables(in []variableIn, field string) ([]engine.Variable, error) {
	out := make([]engine.Variable, 0, len(in))
	seen := map[string]bool{}
	for i, x := range in {
		v, err := toVariable(x, fmt.Sprintf("%s[%d].", field, i), "")
		if err != nil {
			return nil, err
		}
		if seen[v.Name] {
			return nil, badRequest("%s names the variable %q twice", field, v.Name)
		}
		seen[v.Name] = true
		out = append(out, v)
	}
	return out, nil
}

// isMultipart reports whether the request body is multipart/form-data.
func isMultipart(c *fiber.Ctx) bool {
	mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	return mt == fiber.MIMEMultipartForm
}

// binaryVariable reads a multipart upload of a binary variable: one file part (its
// content and content type) and the form fields name (required, unless the URL names
// the variable) and type (binary when omitted).
func binaryVariable(c *fiber.Ctx, name string) (engine.Variable, error) {
	var v engine.Variable
	form, err := c.MultipartForm()
	if err != nil {
		return v, badRequest("malformed multipart/form-data body: %v", err)
	}
	field := func(k string) string {
		if vs := form.Value[k]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
	v.Name = field("name")
	switch {
	case v.Name == "":
		v.Name = name
	case name != "" && v.Name != name:
		return v, badRequest("name %q does not match the variable %q of the URL", v.Name, name)
	}
	if strings.TrimSpace(v.Name) == "" {
		return v, badRequest("the form field name is required: the variable's name")
	}
	switch t := field("type"); t {
	case "", engine.VarBinary:
	case "serializable":
		return v, errStatus(fiber.StatusUnsupportedMediaType, "variable %s: serializable (Java) objects cannot be deserialized here; upload the content as binary", v.Name)
	default:
		return v, badRequest("variable %s: an uploaded variable is binary, not %q", v.Name, t)
	}
	for _, fhs := range form.File {
		if len(fhs) == 0 {
			continue
		}
		fh := fhs[0]
		f, err := fh.Open()
		if err != nil {
			return v, badRequest("cannot read the uploaded file: %v", err)
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return v, badRequest("cannot read the uploaded file: %v", err)
		}
		v.Type, v.Data = engine.VarBinary, data
		v.ContentType = fh.Header.Get(fiber.HeaderContentType)
		if v.ContentType == "" {
			v.ContentType = fiber.MIMEOctetStream
		}
		return v, nil
	}
	return v, badRequest("the body has no file part: upload the variable's content as a file")
}

// variablesURL is the URL of a case instance's variables.
func variablesURL(c *fiber.Ctx, instID string) string {
	return baseURL(c) + "/cmmn-runtime/case-instances/" + instID + "/variables"
}

// dataURL is the URL of a variable's binary content.
func dataURL(c *fiber.Ctx, instID, name string) string {
	return variablesURL(c, instID) + "/" + url.PathEscape(name) + "/data"
}

// restVariables converts an instance's variables.
func (a *API) restVariables(c *fiber.Ctx, instID string, vars []*engine.Variable) []restVariable {
	out := make([]restVariable, 0, len(vars))
	for _, v := range vars {
		out = append(out, restVariableOf(v, dataURL(c, instID, v.Name), a.cfg.Location))
	}
	return out
}
