// Package ui holds flowcraft's server-rendered pages (templ components), the
// zh-CN/English message catalogue and the helpers the pages share.
package ui

import (
	"sort"
	"strconv"
	"strings"
)

// Lang is a UI language.
type Lang string

// The UI languages.
const (
	ZhCN Lang = "zh-CN"
	En   Lang = "en"
)

// Langs lists the UI languages in the order the language switch shows them.
func Langs() []Lang { return []Lang{ZhCN, En} }

// ParseLang reports the UI language named by s ("zh-CN" or "en", case-insensitive,
// surrounding blanks ignored) and whether s named one.
func ParseLang(s string) (Lang, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "zh-cn":
		return ZhCN, true
	case "en":
		return En, true
	}
	return "", false
}

// PickLang chooses the language: an explicit cookie value ("zh-CN" or "en") wins,
// else the Accept-Language header decides: its ranges are tried in order of
// q-value (ties keep header order, q=0 means "not acceptable"), and the first one
// that is zh* gives ZhCN, en* gives En. A header naming neither gives En; an empty
// header gives ZhCN.
func PickLang(cookie, acceptLanguage string) Lang {
	if l, ok := ParseLang(cookie); ok {
		return l
	}
	if strings.TrimSpace(acceptLanguage) == "" {
		return ZhCN
	}
	type rng struct {
		tag string
		q   float64
	}
	var ranges []rng
	for _, part := range strings.Split(acceptLanguage, ",") {
		fields := strings.Split(part, ";")
		tag := strings.ToLower(strings.TrimSpace(fields[0]))
		if tag == "" {
			continue
		}
		q := 1.0
		for _, param := range fields[1:] {
			k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
			if !ok || strings.TrimSpace(k) != "q" {
				continue
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				f = 0 // a malformed weight makes the range unusable
			}
			q = f
		}
		if q > 0 {
			ranges = append(ranges, rng{tag, q})
		}
	}
	sort.SliceStable(ranges, func(i, j int) bool { return ranges[i].q > ranges[j].q })
	for _, r := range ranges {
		switch {
		case r.tag == "zh" || strings.HasPrefix(r.tag, "zh-"):
			return ZhCN
		case r.tag == "en" || strings.HasPrefix(r.tag, "en-"):
			return En
		}
	}
	return En
}
