package bpmn

import (
	"strings"

	"flowcraft/diagram"
)

// Shape sizes BPMN modelers use (bpmn.io's defaults).
const (
	taskW, taskH       = 100.0, 80.0
	eventW             = 36.0
	gatewayW           = 50.0
	subprocessMinW     = 350.0
	subprocessMinH     = 200.0
	flowcraftFlowKinds = "gateway" // templates drawn as diamonds by the designer end in this
)

// cardSize is the size the designer draws a task of the template with (a task's
// positions is the top-left corner of that card; static/js/designer/geometry.js).
func cardSize(template string) (w, h float64) {
	if isFlowTemplate(template) {
		return diagram.GatewayW, diagram.NodeH
	}
	return diagram.CardW, diagram.NodeH
}

// isFlowTemplate reports whether the designer draws the template as a diamond (kind
// "flow": the gateways and the milestone).
func isFlowTemplate(template string) bool {
	return strings.HasSuffix(template, flowcraftFlowKinds) || template == "milestone"
}

// positionFromBounds is the designer position of a task of the template whose BPMN
// shape has these bounds: the card is centred where the shape is.
func positionFromBounds(template string, x, y, w, h float64) []float64 {
	cw, ch := cardSize(template)
	return []float64{x + w/2 - cw/2, y + h/2 - ch/2}
}

// boundsFromPosition is the inverse of positionFromBounds for a shape of size w×h:
// the shape is centred where the designer's card is.
func boundsFromPosition(template string, pos []float64, w, h float64) (x, y float64) {
	cw, ch := cardSize(template)
	return pos[0] + cw/2 - w/2, pos[1] + ch/2 - h/2
}
