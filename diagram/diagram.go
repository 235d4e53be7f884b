// Package diagram draws a process definition as a standalone SVG: each task where the
// designer placed it (a task's positions is the top-left corner of its card, in canvas
// units), its connections as arrows from the output port (middle of the right edge) to
// the input port (middle of the left edge), as static/js/designer/geometry.js does.
// Options.Status colours tasks by the status of an instance's runtimes, for the
// instance diagram.
package diagram

import (
	"fmt"
	"html"
	"math"
	"strings"

	"flowcraft/engine"
)

// The designer's geometry (static/js/designer/geometry.js).
const (
	NodeH    = 56  // height of every node
	CardW    = 136 // width of a card
	GatewayW = 56  // width and height of a gateway diamond
	margin   = 20
)

// Options tune a drawing.
type Options struct {
	// Kind names a template's kind (trigger, action, flow, wait, end); flow templates
	// are drawn as diamonds. Nil: templates whose id ends in "gateway" are flow.
	Kind func(template string) string
	// Status is the status of each task id (an instance's view); tasks without one are
	// drawn plain. Known statuses: pending, running, waiting, done, failed, skipped,
	// canceled, timeout.
	Status map[string]string
}

// fill colours of the statuses.
var fills = map[string]string{
	"pending":  "#eef2f7",
	"running":  "#dbeafe",
	"waiting":  "#fef3c7",
	"done":     "#dcfce7",
	"failed":   "#fee2e2",
	"skipped":  "#f3f4f6",
	"canceled": "#e5e7eb",
	"timeout":  "#fde68a",
}

type box struct {
	x, y, w, h float64
	flow       bool
}

// SVG returns the drawing of p.
func SVG(p *engine.Process, opts Options) []byte {
	kind := opts.Kind
	if kind == nil {
		kind = func(t string) string {
			if strings.HasSuffix(t, "gateway") {
				return "flow"
			}
			return "action"
		}
	}
	boxes := make(map[string]box, len(p.Tasks))
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i, t := range p.Tasks {
		x, y := float64(i)*(CardW+60), 0.0
		if len(t.Positions) >= 2 && finite(t.Positions[0]) && finite(t.Positions[1]) {
			x, y = t.Positions[0], t.Positions[1]
		}
		b := box{x: x, y: y, w: CardW, h: NodeH}
		if kind(t.Template) == "flow" {
			b.w, b.flow = GatewayW, true
		}
		boxes[t.InstID] = b
		minX, minY = math.Min(minX, b.x), math.Min(minY, b.y)
		maxX, maxY = math.Max(maxX, b.x+b.w), math.Max(maxY, b.y+b.h)
	}
	if len(p.Tasks) == 0 {
		minX, minY, maxX, maxY = 0, 0, 0, 0
	}
	w, h := maxX-minX+2*margin, maxY-minY+2*margin
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="%s %s %s %s" width="%s" height="%s" font-family="sans-serif" font-size="12">`,
		num(minX-margin), num(minY-margin), num(w), num(h), num(w), num(h))
	sb.WriteString(`<title>` + html.EscapeString(p.Name) + `</title>`)
	sb.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#64748b"/></marker></defs>`)
	for _, t := range p.Tasks {
		from := boxes[t.InstID]
		for _, c := range t.Connections {
			to, ok := boxes[c.To]
			if !ok {
				continue
			}
			x1, y1 := from.x+from.w, from.y+from.h/2
			x2, y2 := to.x, to.y+to.h/2
			mid := (x1 + x2) / 2
			fmt.Fprintf(&sb, `<path class="edge" data-from="%s" data-to="%s" d="M%s %s C%s %s %s %s %s %s" fill="none" stroke="#64748b" stroke-width="1.5" marker-end="url(#arrow)"/>`,
				attr(t.InstID), attr(c.To), num(x1), num(y1), num(mid), num(y1), num(mid), num(y2), num(x2), num(y2))
			if c.Label != "" {
				fmt.Fprintf(&sb, `<text x="%s" y="%s" text-anchor="middle" fill="#475569">%s</text>`, num(mid), num((y1+y2)/2-4), html.EscapeString(c.Label))
			}
		}
	}
	for _, t := range p.Tasks {
		b := boxes[t.InstID]
		status := opts.Status[t.InstID]
		fill := "#ffffff"
		if f, ok := fills[status]; ok {
			fill = f
		}
		fmt.Fprintf(&sb, `<g class="node" data-task-id="%s" data-template="%s"`, attr(t.InstID), attr(t.Template))
		if status != "" {
			fmt.Fprintf(&sb, ` data-status="%s"`, attr(status))
		}
		sb.WriteString(`>`)
		if b.flow {
			cx, cy := b.x+b.w/2, b.y+b.h/2
			fmt.Fprintf(&sb, `<path d="M%s %s L%s %s L%s %s L%s %s Z" fill="%s" stroke="#334155"/>`,
				num(cx), num(b.y), num(b.x+b.w), num(cy), num(cx), num(b.y+b.h), num(b.x), num(cy), fill)
		} else {
			fmt.Fprintf(&sb, `<rect x="%s" y="%s" width="%s" height="%s" rx="10" fill="%s" stroke="#334155"/>`,
				num(b.x), num(b.y), num(b.w), num(b.h), fill)
		}
		label := t.Name
		if label == "" {
			label = t.Template
		}
		ly := b.y + b.h/2 + 4
		if b.flow {
			ly = b.y + b.h + 14 // below the diamond
		}
		fmt.Fprintf(&sb, `<text x="%s" y="%s" text-anchor="middle" fill="#0f172a">%s</text></g>`,
			num(b.x+b.w/2), num(ly), html.EscapeString(clip(label, 20)))
	}
	sb.WriteString(`</svg>`)
	return []byte(sb.String())
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func num(f float64) string { return fmt.Sprintf("%g", math.Round(f*100)/100) }

func attr(s string) string { return html.EscapeString(s) }

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
