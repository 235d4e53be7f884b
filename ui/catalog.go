package ui

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The message catalogue lives in locales/<lang>.json, one flat object per
// language whose keys are dotted, lower-case area.item names, sorted. Messages
// take named placeholders, "{name}", filled by Translator.Tf or Format; any other
// brace ("{{ expr }}", "{\"key\"") is literal text. Both files hold the same keys
// with the same placeholders, which LoadCatalog and a test check. The browser
// receives its share of the same messages as JSON (Translator.Subset).

// localeFiles is the locales directory, built into the binary. It is read once,
// by LoadCatalog; nothing writes it.
//
//go:embed locales/*.json
var localeFiles embed.FS

// Catalog holds the messages of every UI language. It is built once, by
// LoadCatalog when the server starts, and never changes afterwards, so it is
// safe for concurrent use and its lookups allocate nothing.
type Catalog struct {
	langs map[Lang]map[string]string
}

// LoadCatalog parses the embedded locale files into a Catalog. It fails when a
// file is missing or malformed, or when the languages disagree on their keys or
// on a message's placeholders.
func LoadCatalog() (*Catalog, error) { return loadCatalog(localeFiles, "locales") }

// MustLoadCatalog is LoadCatalog for callers that cannot go on without it (the
// locale files are built in and tested, so a failure is a build mistake).
func MustLoadCatalog() *Catalog {
	c, err := LoadCatalog()
	if err != nil {
		panic(err)
	}
	return c
}

// loadCatalog reads dir/<lang>.json for every UI language from fsys.
func loadCatalog(fsys fs.FS, dir string) (*Catalog, error) {
	c := &Catalog{langs: make(map[Lang]map[string]string, len(Langs()))}
	for _, l := range Langs() {
		name := dir + "/" + string(l) + ".json"
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("message catalogue: %w", err)
		}
		var msgs map[string]string
		if err := json.Unmarshal(raw, &msgs); err != nil {
			return nil, fmt.Errorf("message catalogue %s: %w", name, err)
		}
		c.langs[l] = msgs
	}
	if probs := c.check(); len(probs) > 0 {
		return nil, fmt.Errorf("message catalogue: %s", strings.Join(probs, "; "))
	}
	return c, nil
}

// placeholderRE matches a named placeholder, "{name}".
var placeholderRE = regexp.MustCompile(`\{([A-Za-z][A-Za-z0-9_]*)\}`)

// Placeholders returns the sorted, distinct placeholder names of a message.
func Placeholders(msg string) []string {
	var names []string
	for _, m := range placeholderRE.FindAllStringSubmatch(msg, -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	sort.Strings(names)
	return names
}

// check reports keys found in one language only, empty messages and messages
// whose placeholders differ between the languages.
func (c *Catalog) check() []string {
	var probs []string
	en := c.langs[En]
	for _, l := range Langs() {
		msgs := c.langs[l]
		for _, k := range slices.Sorted(maps.Keys(msgs)) {
			if strings.TrimSpace(msgs[k]) == "" {
				probs = append(probs, fmt.Sprintf("%s: %q is empty", l, k))
			}
			if l == En {
				continue
			}
			e, ok := en[k]
			if !ok {
				probs = append(probs, fmt.Sprintf("%q is in %s but not in %s", k, l, En))
				continue
			}
			if pe, pl := Placeholders(e), Placeholders(msgs[k]); !slices.Equal(pe, pl) {
				probs = append(probs, fmt.Sprintf("%q has placeholders %v in %s but %v in %s", k, pe, En, pl, l))
			}
		}
		if l == En {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(en)) {
			if _, ok := msgs[k]; !ok {
				probs = append(probs, fmt.Sprintf("%q is in %s but not in %s", k, En, l))
			}
		}
	}
	return probs
}

// For returns the translator of lang; a language the catalogue does not know
// gets English.
func (c *Catalog) For(lang Lang) Translator {
	if c == nil {
		return Translator{lang: langOrDefault(lang)}
	}
	msgs, ok := c.langs[lang]
	if !ok {
		lang = langOrDefault(lang)
		msgs = c.langs[lang]
	}
	return Translator{lang: lang, msgs: msgs}
}

// T returns the message for key in lang (see Translator.T).
func (c *Catalog) T(lang Lang, key string) string { return c.For(lang).T(key) }

// Keys returns every message key, sorted.
func (c *Catalog) Keys() []string {
	if c == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(c.langs[En]))
}

// Translator looks messages up in one language. It is a small value: make one
// per request or render with Catalog.For. The zero Translator answers every key
// with the key itself.
type Translator struct {
	lang Lang
	msgs map[string]string
}

// Lang is the translator's language.
func (t Translator) Lang() Lang { return t.lang }

// T returns the message for key, or the key itself when there is none. It
// allocates nothing.
func (t Translator) T(key string) string {
	if m, ok := t.msgs[key]; ok {
		return m
	}
	return key
}

// Has reports whether the catalogue has a message for key.
func (t Translator) Has(key string) bool {
	_, ok := t.msgs[key]
	return ok
}

// Tf is T with its placeholders filled from name/value pairs:
// Tf("pager.range", "from", 1, "to", 20, "total", 57).
func (t Translator) Tf(key string, pairs ...any) string {
	return fill(t.T(key), func(name string) (any, bool) {
		for i := 0; i+1 < len(pairs); i += 2 {
			if s, _ := pairs[i].(string); s == name {
				return pairs[i+1], true
			}
		}
		return nil, false
	})
}

// Format is T with its placeholders filled from params (an API error's params,
// for one).
func (t Translator) Format(key string, params map[string]any) string {
	return fill(t.T(key), func(name string) (any, bool) {
		v, ok := params[name]
		return v, ok
	})
}

// Error is the message of an API error code ("error.<code>") with its params,
// or fallback (the English message) for a code the catalogue has no message for.
func (t Translator) Error(code string, params map[string]any, fallback string) string {
	key := "error." + code
	if code == "" || !t.Has(key) {
		return fallback
	}
	return t.Format(key, params)
}

// Subset returns the messages whose keys start with one of the prefixes, keys
// kept whole, for a page's script (rendered as JSON into the page).
func (t Translator) Subset(prefixes ...string) map[string]string {
	out := map[string]string{}
	for k, v := range t.msgs {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				out[k] = v
				break
			}
		}
	}
	return out
}

// fill replaces each "{name}" in msg for which value knows a value; other
// placeholders stay as they are, so a missing value shows.
func fill(msg string, value func(string) (any, bool)) string {
	if !strings.Contains(msg, "{") {
		return msg
	}
	var b strings.Builder
	b.Grow(len(msg) + 16)
	last := 0
	for _, m := range placeholderRE.FindAllStringSubmatchIndex(msg, -1) {
		v, ok := value(msg[m[2]:m[3]])
		if !ok {
			continue
		}
		b.WriteString(msg[last:m[0]])
		b.WriteString(valueText(v))
		last = m[1]
	}
	b.WriteString(msg[last:])
	return b.String()
}

// valueText formats a placeholder value: strings as they are, numbers without
// exponent or trailing zeros, anything else as fmt prints it.
func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
