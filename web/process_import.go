package web

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/bpmn"
	"flowcraft/bpmn/deploy"
	"flowcraft/engine"
)

// importedProcess is one definition an import created.
type importedProcess struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	BPMNID string `json:"bpmnId"`
}

// importAnswer is the answer of POST /api/process/import (DESIGN §9).
type importAnswer struct {
	Processes []importedProcess `json:"processes"`
	Report    bpmn.Report       `json:"report"`
}

// codeBPMNMediaType answers an import whose body is neither XML nor multipart [got].
const codeBPMNMediaType engine.Code = "bpmn_media_type"

// importFileField is the multipart field the processes page sends the file in.
const importFileField = "file"

// importProcess handles POST /api/process/import[?strict=true]: a BPMN 2.0 document
// (application/xml or text/xml, or a multipart body with the file in "file") becomes
// one definition per process, all of them or none; the answer lists them with the
// report of what was mapped, approximated and dropped. strict refuses (400) a document
// of which anything would be dropped.
func (s *Server) importProcess(c *fiber.Ctx) error {
	strict, err := boolQuery(c, "strict")
	if err != nil {
		return err
	}
	doc, err := bpmnBody(c)
	if err != nil {
		return err
	}
	res, err := bpmn.Import(bytes.NewReader(doc), bpmn.Options{Strict: strict != nil && *strict})
	if err != nil {
		return err
	}
	saved, err := deploy.Save(c.UserContext(), s.deps.Definitions, res, deploy.Options{By: caller(c).ID})
	if err != nil {
		return err
	}
	out := importAnswer{Processes: make([]importedProcess, len(saved)), Report: res.Report}
	for i, sv := range saved {
		out.Processes[i] = importedProcess{ID: sv.Process.ID, Name: sv.Process.Name, BPMNID: sv.BPMNID}
	}
	if out.Report.Approximated == nil {
		out.Report.Approximated = []bpmn.Note{}
	}
	if out.Report.Dropped == nil {
		out.Report.Dropped = []bpmn.Note{}
	}
	if len(saved) > 0 {
		c.Location("/api/process/" + saved[0].Process.ID)
	}
	return created(c, out)
}

// bpmnBody is the document of an import: the body itself when it is XML, the "file"
// part of a multipart body. Empty: 400; another media type: 415.
func bpmnBody(c *fiber.Ctx) ([]byte, error) {
	ct := strings.TrimSpace(c.Get(fiber.HeaderContentType))
	media, _, _ := mime.ParseMediaType(ct)
	var doc []byte
	switch {
	case isXMLMedia(media):
		doc = c.Body()
	case media == fiber.MIMEMultipartForm:
		form, err := c.MultipartForm()
		if err != nil {
			return nil, codedErr(fiber.StatusBadRequest, codeMalformedBody, nil, "malformed multipart body: "+err.Error())
		}
		files := form.File[importFileField]
		if len(files) == 0 {
			return nil, engine.InvalidField(importFileField, engine.CodeRequired, engine.Params{"field": importFileField},
				"the multipart body has no %q file: send the BPMN document in it", importFileField)
		}
		f, err := files[0].Open()
		if err != nil {
			return nil, codedErr(fiber.StatusBadRequest, codeMalformedBody, nil, "malformed multipart body: "+err.Error())
		}
		defer f.Close()
		if doc, err = io.ReadAll(f); err != nil {
			return nil, codedErr(fiber.StatusBadRequest, codeMalformedBody, nil, "malformed multipart body: "+err.Error())
		}
	default:
		got := media
		if got == "" {
			got = "none"
		}
		return nil, codedErr(fiber.StatusUnsupportedMediaType, codeBPMNMediaType, engine.Params{"got": got},
			fmt.Sprintf("Content-Type must be application/xml, text/xml or multipart/form-data with a %q file, not %s", importFileField, got))
	}
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil, codedErr(fiber.StatusBadRequest, codeEmptyBody, nil, "the BPMN document is empty; send BPMN 2.0 XML")
	}
	return doc, nil
}

// isXMLMedia reports whether a media type is XML (application/xml, text/xml,
// application/bpmn+xml and the like).
func isXMLMedia(media string) bool {
	return media == fiber.MIMEApplicationXML || media == fiber.MIMETextXML ||
		strings.HasSuffix(media, "+xml") && (strings.HasPrefix(media, "application/") || strings.HasPrefix(media, "text/"))
}
