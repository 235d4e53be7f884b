package diagram

import (
	"math"
	"slices"
	"strconv"
)

// Grid is the grid the designer snaps positions to (static/js/designer/geometry.js).
const Grid = 10

// LayoutNode is one node to place: its id and size.
type LayoutNode struct {
	ID   string
	W, H float64
}

// LayoutEdge is a directed edge; edges to unknown nodes and self-loops are ignored.
type LayoutEdge struct{ From, To string }

// LayoutOptions tune Layout. Zero values take the designer's defaults.
type LayoutOptions struct {
	GapX, GapY float64    // between columns (default 100) and between nodes (default 48)
	Origin     [2]float64 // top-left of the layout (default 80, 80)
	HasOrigin  bool       // use Origin even when it is (0, 0)
	MinColumn  float64    // least width of a column (default CardW)
}

// Layout places a graph left to right in layers, as the designer's auto-layout does
// (static/js/designer/layout.js, which this mirrors step by step, so that both give
// the same positions): cycles broken by depth-first search, longest-path layers,
// placeholder nodes on long edges, four barycentre sweeps, then coordinates. It
// returns the top-left corner of every node, snapped to Grid. Nodes keep their order
// on ties.
func Layout(nodes []LayoutNode, edges []LayoutEdge, opts LayoutOptions) map[string][2]float64 {
	gapX, gapY := opts.GapX, opts.GapY
	if gapX == 0 {
		gapX = 100
	}
	if gapY == 0 {
		gapY = 48
	}
	origin := opts.Origin
	if !opts.HasOrigin && origin == [2]float64{} {
		origin = [2]float64{80, 80}
	}
	minColumn := opts.MinColumn
	if minColumn == 0 {
		minColumn = CardW
	}
	result := make(map[string][2]float64, len(nodes))
	if len(nodes) == 0 {
		return result
	}
	type lnode struct {
		id    string
		w, h  float64
		dummy bool
	}
	byID := make(map[string]*lnode, len(nodes))
	out := make(map[string][]string, len(nodes))
	indeg := make(map[string]int, len(nodes))
	uniq := make([]LayoutNode, 0, len(nodes))
	for _, n := range nodes {
		if _, dup := byID[n.ID]; dup {
			continue
		}
		byID[n.ID] = &lnode{id: n.ID, w: n.W, h: n.H}
		out[n.ID] = nil
		uniq = append(uniq, n)
	}
	nodes = uniq
	for _, e := range edges {
		if byID[e.From] == nil || byID[e.To] == nil || e.From == e.To {
			continue
		}
		out[e.From] = append(out[e.From], e.To)
		indeg[e.To]++
	}

	// 1. Depth-first search from the sources, then from anything unvisited; an edge
	// to a node on the stack closes a cycle and is dropped.
	state := make(map[string]int, len(nodes)) // 1 on stack, 2 done
	dag := make(map[string][]string, len(nodes))
	roots := make([]string, 0, 2*len(nodes))
	for _, n := range nodes {
		if indeg[n.ID] == 0 {
			roots = append(roots, n.ID)
		}
	}
	for _, n := range nodes {
		roots = append(roots, n.ID)
	}
	type frame struct {
		id string
		i  int
	}
	for _, root := range roots {
		if state[root] != 0 {
			continue
		}
		stack := []frame{{root, 0}}
		state[root] = 1
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			succ := out[top.id]
			if top.i >= len(succ) {
				state[top.id] = 2
				stack = stack[:len(stack)-1]
				continue
			}
			to := succ[top.i]
			top.i++
			s := state[to]
			if s == 1 {
				continue
			}
			dag[top.id] = append(dag[top.id], to)
			if s == 0 {
				state[to] = 1
				stack = append(stack, frame{to, 0})
			}
		}
	}

	// 2. Longest-path layering over the DAG, in topological order (Kahn).
	inDag := make(map[string]int, len(nodes))
	for _, succ := range dag {
		for _, to := range succ {
			inDag[to]++
		}
	}
	layerOf := make(map[string]int, len(nodes))
	var queue []string
	for _, n := range nodes {
		if inDag[n.ID] == 0 {
			queue = append(queue, n.ID)
			layerOf[n.ID] = 0
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		id := queue[qi]
		for _, to := range dag[id] {
			layerOf[to] = max(layerOf[to], layerOf[id]+1)
			inDag[to]--
			if inDag[to] == 0 {
				queue = append(queue, to)
			}
		}
	}

	// 3. Layers with placeholders for edges that span several layers.
	layerCount := 0
	for _, l := range layerOf {
		layerCount = max(layerCount, l+1)
	}
	layers := make([][]*lnode, layerCount)
	preds := map[string][]string{}
	succs := map[string][]string{}
	link := func(a, b string) {
		succs[a] = append(succs[a], b)
		preds[b] = append(preds[b], a)
	}
	// Initial order: depth-first from the sources, so branches stay together.
	seen := make(map[string]bool, len(nodes))
	var visit func(id string)
	visit = func(id string) {
		// Iterative to bound the stack on long chains; the order is the recursive one.
		type vf struct {
			id string
			i  int
		}
		if seen[id] {
			return
		}
		seen[id] = true
		layers[layerOf[id]] = append(layers[layerOf[id]], byID[id])
		st := []vf{{id, 0}}
		for len(st) > 0 {
			top := &st[len(st)-1]
			if top.i >= len(dag[top.id]) {
				st = st[:len(st)-1]
				continue
			}
			to := dag[top.id][top.i]
			top.i++
			if seen[to] {
				continue
			}
			seen[to] = true
			layers[layerOf[to]] = append(layers[layerOf[to]], byID[to])
			st = append(st, vf{to, 0})
		}
	}
	for _, n := range nodes {
		if layerOf[n.ID] == 0 {
			visit(n.ID)
		}
	}
	for _, n := range nodes {
		visit(n.ID)
	}
	dummyH := 8.0
	dummies := 0
	// Map iteration order in JS is insertion order: the nodes' order.
	for _, n := range nodes {
		from := n.ID
		for _, to := range dag[from] {
			prev := from
			for l := layerOf[from] + 1; l < layerOf[to]; l++ {
				d := &lnode{id: "\x00dummy" + strconv.Itoa(dummies), h: dummyH, dummy: true}
				dummies++
				layers[l] = append(layers[l], d)
				link(prev, d.id)
				prev = d.id
			}
			link(prev, to)
		}
	}
	pos := map[string]float64{}
	renumber := func(layer []*lnode) {
		for i, n := range layer {
			pos[n.id] = float64(i)
		}
	}
	for _, layer := range layers {
		renumber(layer)
	}
	sweep := func(layer []*lnode, neigh map[string][]string) {
		type keyed struct {
			n   *lnode
			i   int
			b   float64
			has bool
		}
		ks := make([]keyed, len(layer))
		for i, n := range layer {
			ks[i] = keyed{n: n, i: i}
			if ns := neigh[n.id]; len(ns) > 0 {
				s := 0.0
				for _, m := range ns {
					s += pos[m]
				}
				ks[i].b, ks[i].has = s/float64(len(ns)), true
			}
		}
		last := 0.0
		for i := range ks {
			if !ks[i].has {
				ks[i].b = last
			} else {
				last = ks[i].b
			}
		}
		slices.SortStableFunc(ks, func(a, b keyed) int {
			switch {
			case a.b < b.b:
				return -1
			case a.b > b.b:
				return 1
			}
			return a.i - b.i
		})
		for i := range ks {
			layer[i] = ks[i].n
		}
		renumber(layer)
	}
	for range 4 {
		for l := 1; l < len(layers); l++ {
			sweep(layers[l], preds)
		}
		for l := len(layers) - 2; l >= 0; l-- {
			sweep(layers[l], succs)
		}
	}

	// 4. Coordinates.
	y := map[string]float64{}
	nodeH := func(id string) float64 {
		if n := byID[id]; n != nil {
			return n.h
		}
		return dummyH
	}
	for l, layer := range layers {
		want := make([]float64, len(layer))
		has := make([]bool, len(layer))
		for i, n := range layer {
			if l == 0 {
				continue
			}
			s, c := 0.0, 0
			for _, p := range preds[n.id] {
				if py, ok := y[p]; ok {
					s += py + nodeH(p)/2
					c++
				}
			}
			if c > 0 {
				want[i], has[i] = s/float64(c), true
			}
		}
		cursor := math.Inf(-1)
		for i, n := range layer {
			top := cursor
			if has[i] {
				top = want[i] - n.h/2
			}
			if math.IsInf(top, -1) {
				top = 0
			}
			top = math.Max(top, cursor)
			y[n.id] = top
			if n.dummy {
				cursor = top + n.h + gapY/2
			} else {
				cursor = top + n.h + gapY
			}
		}
		s, c := 0.0, 0
		for i, n := range layer {
			if has[i] {
				s += want[i] - (y[n.id] + n.h/2)
				c++
			}
		}
		if c > 0 {
			shift := s / float64(c)
			for _, n := range layer {
				y[n.id] += shift
			}
		}
	}
	colX := make([]float64, len(layers))
	colW := make([]float64, len(layers))
	x := 0.0
	for l, layer := range layers {
		colX[l] = x
		w := minColumn
		for _, n := range layer {
			if !n.dummy {
				w = math.Max(w, n.w)
			}
		}
		colW[l] = w
		x += w + gapX
	}
	minY := math.Inf(1)
	for id := range byID {
		minY = math.Min(minY, y[id])
	}
	for id, n := range byID {
		l := layerOf[id]
		nx := origin[0] + colX[l] + (colW[l]-n.w)/2
		ny := origin[1] + y[id] - minY
		result[id] = [2]float64{snap(nx), snap(ny)}
	}
	return result
}

// snap rounds to the grid as JavaScript's Math.round does (halves up).
func snap(v float64) float64 { return math.Floor(v/Grid+0.5) * Grid }
