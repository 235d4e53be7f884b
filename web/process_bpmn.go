package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/bpmn"
	"flowcraft/engine"
)

// exportProcessBPMN handles GET /api/process/{id}/bpmn[?version=N]: the definition
// (the current version, or version N) as a BPMN 2.0 download, <name>.bpmn.
func (s *Server) exportProcessBPMN(c *fiber.Ctx) error {
	id := param(c, "id")
	version := 0
	if v := c.Query("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return engine.InvalidField("version", engine.CodeTooSmall, engine.Params{"min": 1}, "version must be a whole number of 1 or more, not %q", v)
		}
		version = n
	}
	p, err := s.deps.Definitions.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	if version != 0 && version != p.Version {
		if p, err = s.definitionOf(c.UserContext(), id, version); err != nil {
			return err
		}
		if p == nil {
			return engine.Coded(engine.ErrNotFound, engine.CodeNotFound, nil, "process %s has no version %d", id, version)
		}
	}
	doc, err := bpmn.Export(p)
	if err != nil {
		return err
	}
	name := p.Name
	if strings.TrimSpace(name) == "" {
		name = p.ID
	}
	c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, attachment(name+".bpmn"))
	return c.Send(doc)
}

// attachment is a Content-Disposition naming a download: an ASCII filename for old
// clients and the UTF-8 one (RFC 6266, 5987) for the others.
func attachment(filename string) string {
	var ascii strings.Builder
	for _, r := range filename {
		switch {
		case r < 0x20 || r >= 0x7f || strings.ContainsRune(`"\/:*?<>|;%`, r):
			ascii.WriteByte('_')
		default:
			ascii.WriteRune(r)
		}
	}
	var ext strings.Builder
	for _, b := range []byte(filename) {
		if 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0 {
			ext.WriteByte(b)
		} else {
			fmt.Fprintf(&ext, "%%%02X", b)
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}
