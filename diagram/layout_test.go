package diagram

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// TestLayoutMatchesDesigner checks that Layout places nodes exactly where the
// designer's auto-layout (static/js/designer/layout.js) does, for the graphs of
// testdata/layout_js.json (made by testdata/layout_js.mjs from the JavaScript).
func TestLayoutMatchesDesigner(t *testing.T) {
	b, err := os.ReadFile("testdata/layout_js.json")
	if err != nil {
		t.Fatal(err)
	}
	var graphs map[string]struct {
		Nodes []struct {
			ID string  `json:"id"`
			W  float64 `json:"w"`
			H  float64 `json:"h"`
		} `json:"nodes"`
		Edges [][2]string           `json:"edges"`
		Pos   map[string][2]float64 `json:"pos"`
	}
	if err := json.Unmarshal(b, &graphs); err != nil {
		t.Fatal(err)
	}
	if len(graphs) < 4 {
		t.Fatalf("%d graphs", len(graphs))
	}
	for name, g := range graphs {
		t.Run(name, func(t *testing.T) {
			var nodes []LayoutNode
			for _, n := range g.Nodes {
				nodes = append(nodes, LayoutNode{ID: n.ID, W: n.W, H: n.H})
			}
			var edges []LayoutEdge
			for _, e := range g.Edges {
				edges = append(edges, LayoutEdge{From: e[0], To: e[1]})
			}
			got := Layout(nodes, edges, LayoutOptions{})
			if len(got) != len(g.Pos) {
				t.Fatalf("%d positions, want %d", len(got), len(g.Pos))
			}
			for id, want := range g.Pos {
				if got[id] != want {
					t.Errorf("%s at %v, the designer puts it at %v", id, got[id], want)
				}
			}
		})
	}
}

// TestLayoutProperties: every node placed on the grid, no overlaps, edges of an
// acyclic graph point right, and a large graph is laid out.
func TestLayoutProperties(t *testing.T) {
	if got := Layout(nil, nil, LayoutOptions{}); len(got) != 0 {
		t.Fatalf("empty graph: %v", got)
	}
	var nodes []LayoutNode
	var edges []LayoutEdge
	for i := range 2000 {
		w := float64(CardW)
		if i%7 == 3 {
			w = GatewayW
		}
		nodes = append(nodes, LayoutNode{ID: fmt.Sprint("t", i), W: w, H: NodeH})
		if i > 0 {
			edges = append(edges, LayoutEdge{From: fmt.Sprint("t", (i-1)/2), To: fmt.Sprint("t", i)})
		}
		if i > 10 && i%5 == 0 {
			edges = append(edges, LayoutEdge{From: fmt.Sprint("t", i-9), To: fmt.Sprint("t", i)})
		}
	}
	pos := Layout(nodes, edges, LayoutOptions{})
	if len(pos) != len(nodes) {
		t.Fatalf("%d placed of %d", len(pos), len(nodes))
	}
	for _, e := range edges {
		if pos[e.From][0] >= pos[e.To][0] {
			t.Errorf("%s → %s does not point right", e.From, e.To)
		}
	}
	// Overlaps, per column (nodes of one layer share an x range).
	type box struct{ x, y, w, h float64 }
	var boxes []box
	for _, n := range nodes {
		p := pos[n.ID]
		if p[0] != snap(p[0]) || p[1] != snap(p[1]) {
			t.Fatalf("%s off the grid: %v", n.ID, p)
		}
		boxes = append(boxes, box{p[0], p[1], n.W, n.H})
	}
	byX := map[float64][]box{}
	for _, b := range boxes {
		byX[b.x+b.w/2] = append(byX[b.x+b.w/2], b)
	}
	for _, col := range byX {
		for i := range col {
			for j := i + 1; j < len(col); j++ {
				a, b := col[i], col[j]
				if a.x < b.x+b.w && b.x < a.x+a.w && a.y < b.y+b.h && b.y < a.y+a.h {
					t.Fatalf("overlap: %v %v", a, b)
				}
			}
		}
	}
}
