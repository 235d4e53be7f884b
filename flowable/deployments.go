package flowable

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/bpmn"
	"flowcraft/bpmn/deploy"
	"flowcraft/diagram"
	"flowcraft/engine"
	"flowcraft/engine/templates"
)

// deployment is seed 003's deployment.
type deployment struct {
	ID                 string  `json:"id"`
	Name               string  `json:"name"`
	DeploymentTime     any     `json:"deploymentTime"`
	Category           *string `json:"category"`
	ParentDeploymentID *string `json:"parentDeploymentId"`
	URL                string  `json:"url"`
	TenantID           string  `json:"tenantId"`
}

func (a *API) deploymentOf(c *fiber.Ctx, v *version) deployment {
	id := v.deploymentID()
	return deployment{ID: id, Name: v.def.Name, DeploymentTime: isoTime(v.def.UpdateAt, a.cfg.Location),
		URL: baseURL(c) + "/cmmn-repository/deployments/" + id, TenantID: v.def.TenantID}
}

// deploymentSorts maps the seed's sort values onto the store's.
var deploymentSorts = map[string]string{"id": "id", "name": "name", "deployTime": "updateAt", "tenantId": "tenantId"}

// listDeployments handles GET cmmn-repository/deployments: one store query (filters,
// sort and paging in SQL).
func (a *API) listDeployments(c *fiber.Ctx) error {
	q := newQuery(c)
	p, err := pageParams(q, "id", "name", "deployTime", "tenantId")
	if err != nil {
		return err
	}
	withoutTenant, err := q.boolean("withoutTenantId")
	if err != nil {
		return err
	}
	f := engine.VersionFilter{Name: q.str("name"), NameLike: q.str("nameLike"),
		TenantID: q.str("tenantId"), TenantIDLike: q.str("tenantIdLike"), WithoutTenantID: withoutTenant != nil && *withoutTenant || q.has("tenantId") && q.str("tenantId") == "",
		Page: engine.Page{Sort: deploymentSorts[p.Sort], Desc: p.Order == "desc", Limit: p.Size, Offset: p.Start}}
	// Deployments have no category or parent in flowcraft (null, null): a filter that
	// needs one matches nothing (categoryNotEquals every deployment); an empty name
	// matches nothing either. tenantId= is the default tenant "" (withoutTenantId),
	// as in Flowable; withoutTenantId=false is ignored (the seed).
	if q.has("category") || q.has("categoryLike") || q.has("parentDeploymentId") || q.has("parentDeploymentIdLike") ||
		q.has("name") && f.Name == "" {
		return c.JSON(listResponse[deployment]{Data: []deployment{}, Start: p.Start, Sort: p.Sort, Order: p.Order})
	}
	list, total, err := a.versions(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := listResponse[deployment]{Total: total, Start: p.Start, Sort: p.Sort, Order: p.Order, Data: make([]deployment, 0, len(list))}
	for _, v := range list {
		out.Data = append(out.Data, a.deploymentOf(c, v))
	}
	out.Size = len(out.Data)
	return c.JSON(out)
}

// deploymentParam resolves the :deploymentId of a request.
func (a *API) deploymentParam(c *fiber.Ctx) (*version, error) {
	id := param(c, "deploymentId")
	key, ver, ok := parseDeploymentID(id)
	if !ok {
		return nil, notFound("Could not find a deployment with id '%s'.", id)
	}
	return a.lookup(c.UserContext(), key, ver, "deployment", id)
}

// getDeployment handles GET cmmn-repository/deployments/{deploymentId}.
func (a *API) getDeployment(c *fiber.Ctx) error {
	v, err := a.deploymentParam(c)
	if err != nil {
		return err
	}
	return c.JSON(a.deploymentOf(c, v))
}

// deleteDeployment handles DELETE (cmmn-)repository/deployments/{deploymentId}. The
// deployment of a definition's current version deletes the definition (with its
// earlier versions; ?cascade=true also its instances, else 409 while some run); an
// earlier version cannot be deleted alone (409 naming the current deployment).
func (a *API) deleteDeployment(c *fiber.Ctx) error {
	q := newQuery(c)
	cascade, err := q.boolean("cascade")
	if err != nil {
		return err
	}
	v, err := a.deploymentParam(c)
	if err != nil {
		return err
	}
	if !v.latest {
		h, err := a.deps.Definitions.Get(c.UserContext(), v.key())
		if err != nil {
			return err
		}
		return errStatus(fiber.StatusConflict, "deployment %s is an earlier version of %s, which cannot be deleted alone; delete the current deployment %s (all versions)",
			v.deploymentID(), v.key(), deploymentID(h.ID, h.Version))
	}
	if err := a.deps.Definitions.Delete(c.UserContext(), v.key(), cascade != nil && *cascade, caller(c).ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// resource is a deployment resource.
type resource struct {
	ID         string `json:"id"`
	URL        string `json:"url"`
	ContentURL string `json:"contentUrl"`
	MediaType  string `json:"mediaType"`
	Type       string `json:"type"`
}

func (a *API) resourcesOf(c *fiber.Ctx, v *version) []resource {
	base := baseURL(c) + "/cmmn-repository/deployments/" + v.deploymentID()
	mk := func(name, media, typ string) resource {
		return resource{ID: name, URL: base + "/resources/" + name, ContentURL: base + "/resourcedata/" + name, MediaType: media, Type: typ}
	}
	return []resource{mk(v.resourceName(), fiber.MIMEApplicationJSON, "caseDefinition"), mk(bpmnResourceName(v), bpmnMediaType, "resource"),
		mk(v.diagramName(), "image/svg+xml", "resource")}
}

// bpmnMediaType is the media type of the BPMN export resource (Flowable's for XML).
const bpmnMediaType = "text/xml"

// bpmnResourceName is the name of a deployment's BPMN 2.0 export, as Flowable names
// its process resources: <key>.bpmn20.xml.
func bpmnResourceName(v *version) string { return v.def.ID + ".bpmn20.xml" }

// listResources handles GET cmmn-repository/deployments/{deploymentId}/resources.
func (a *API) listResources(c *fiber.Ctx) error {
	v, err := a.deploymentParam(c)
	if err != nil {
		return err
	}
	return c.JSON(a.resourcesOf(c, v))
}

func (a *API) resourceParam(c *fiber.Ctx) (*version, resource, error) {
	v, err := a.deploymentParam(c)
	if err != nil {
		return nil, resource{}, err
	}
	id := param(c, "resourceId")
	for _, r := range a.resourcesOf(c, v) {
		if r.ID == id {
			return v, r, nil
		}
	}
	return nil, resource{}, notFound("Could not find a resource with id '%s' in deployment '%s'.", id, v.deploymentID())
}

// getResource handles GET cmmn-repository/deployments/{deploymentId}/resources/{resourceId}.
func (a *API) getResource(c *fiber.Ctx) error {
	_, r, err := a.resourceParam(c)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// getResourceData handles GET .../resourcedata/{resourceId}: the definition's JSON,
// its BPMN 2.0 export or its SVG diagram, as a download.
func (a *API) getResourceData(c *fiber.Ctx) error {
	v, r, err := a.resourceParam(c)
	if err != nil {
		return err
	}
	return a.sendResource(c, v, r)
}

func (a *API) sendResource(c *fiber.Ctx, v *version, r resource) error {
	var body []byte
	switch {
	case r.Type == "caseDefinition":
		b, err := json.MarshalIndent(v.def, "", "  ")
		if err != nil {
			return err
		}
		body = b
	case r.ID == bpmnResourceName(v):
		b, err := bpmn.Export(v.def)
		if err != nil {
			return err
		}
		body = b
	default:
		body = diagram.SVG(v.def, diagram.Options{Kind: a.kindOf})
	}
	c.Set(fiber.HeaderContentType, r.MediaType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+r.ID+`"`)
	return c.Send(body)
}

func (a *API) kindOf(template string) string {
	if k, ok := a.kinds[template]; ok {
		return string(k)
	}
	if strings.HasSuffix(template, "gateway") {
		return string(templates.KindFlow)
	}
	return string(templates.KindAction)
}

// createDeployment handles POST cmmn-repository/deployments: a multipart body with
// one file (extra files are ignored, as the seed says): a flowcraft JSON definition,
// a BPMN 2.0 document (.bpmn, .bpmn20.xml: each of its processes), or a .zip/.bar of
// several. Each definition is stored as a new definition, or as the next version of
// the one its "id" names. The answer is the first one's deployment.
func (a *API) createDeployment(c *fiber.Ctx) error {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, fiber.MIMEMultipartForm) {
		return badRequest("a deployment is a multipart/form-data body with one file; got Content-Type %q", c.Get(fiber.HeaderContentType))
	}
	form, err := c.MultipartForm()
	if err != nil {
		return badRequest("malformed multipart body: %v", err)
	}
	tenant := ""
	if t := form.Value["tenantId"]; len(t) > 0 {
		tenant = t[0] // the tenant of every definition of this deployment
	}
	var fh *multipart.FileHeader
	for _, files := range form.File {
		for _, f := range files {
			if fh == nil || f.Filename < fh.Filename {
				fh = f
			}
		}
	}
	if fh == nil {
		return badRequest("the body holds no file; send the definition as a multipart file")
	}
	data, err := readPart(fh)
	if err != nil {
		return badRequest("cannot read the file %s: %v", fh.Filename, err)
	}
	files, err := a.deploymentFiles(fh.Filename, data)
	if err != nil {
		return err
	}
	var stored []*engine.Process
	for _, f := range files {
		var ps []*engine.Process
		if f.bpmn {
			ps, err = a.deployBPMN(c.UserContext(), f, tenant, caller(c).ID)
		} else {
			var p *engine.Process
			if p, err = a.deployOne(c.UserContext(), f, tenant, caller(c).ID); err == nil {
				ps = []*engine.Process{p}
			}
		}
		if err != nil {
			// Take back the definitions this request created (not new versions of
			// existing ones: those stay, each is a deployment of its own).
			for _, s := range stored {
				if s.Version == 1 {
					_ = a.deps.Definitions.Delete(context.WithoutCancel(c.UserContext()), s.ID, false, caller(c).ID)
				}
			}
			var fe *Error
			if errors.As(err, &fe) {
				return fe
			}
			if errors.Is(err, engine.ErrInvalid) || errors.As(err, new(*engine.ValidationError)) {
				return badRequest("%s: %v", f.name, err)
			}
			return err
		}
		stored = append(stored, ps...)
	}
	v := &version{def: stored[0], latest: true, enabled: stored[0].Enabled}
	c.Location(baseURL(c) + "/cmmn-repository/deployments/" + v.deploymentID())
	return c.Status(fiber.StatusCreated).JSON(a.deploymentOf(c, v))
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

type deployFile struct {
	name string
	data []byte
	bpmn bool // BPMN 2.0 XML, else a flowcraft JSON definition
}

// isBPMNName reports whether a file name is a BPMN 2.0 document's (.bpmn,
// .bpmn20.xml, .bpmn.xml).
func isBPMNName(name string) bool {
	lower := strings.ToLower(name)
	return strings.HasSuffix(lower, ".bpmn") || strings.HasSuffix(lower, ".bpmn20.xml") || strings.HasSuffix(lower, ".bpmn.xml")
}

// deploymentFiles unpacks what was uploaded into definition files.
func (a *API) deploymentFiles(name string, data []byte) ([]deployFile, error) {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".json"):
		return []deployFile{{name, data, false}}, nil
	case isBPMNName(name):
		return []deployFile{{name, data, true}}, nil
	case strings.HasSuffix(lower, ".zip"), strings.HasSuffix(lower, ".bar"):
	default:
		return nil, badRequest("%s: unsupported resource; deploy a flowcraft JSON definition (.json), a BPMN 2.0 document (.bpmn, .bpmn20.xml) or a .zip/.bar of them", name)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, badRequest("%s is not a valid zip archive: %v", name, err)
	}
	if len(zr.File) > a.cfg.MaxArchiveFiles {
		return nil, badRequest("%s has %d entries; at most %d", name, len(zr.File), a.cfg.MaxArchiveFiles)
	}
	var out []deployFile
	budget := int64(len(data)) * 20 // a zip bomb stops here
	if budget < 1<<20 {
		budget = 1 << 20
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		isBPMN := isBPMNName(f.Name)
		if !isBPMN && !strings.HasSuffix(strings.ToLower(f.Name), ".json") {
			continue // other resources (images, forms) are not definitions
		}
		rc, err := f.Open()
		if err != nil {
			return nil, badRequest("%s in %s: %v", f.Name, name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, budget+1))
		rc.Close()
		if err != nil {
			return nil, badRequest("%s in %s: %v", f.Name, name, err)
		}
		budget -= int64(len(b))
		if budget < 0 {
			return nil, errStatus(fiber.StatusRequestEntityTooLarge, "%s unpacks to more than 20 times its size (at least 1 MiB)", name)
		}
		out = append(out, deployFile{path.Base(f.Name), b, isBPMN})
	}
	if len(out) == 0 {
		return nil, badRequest("%s holds no flowcraft JSON definition (.json) and no BPMN 2.0 document (.bpmn, .bpmn20.xml)", name)
	}
	return out, nil
}

// deployBPMN stores the processes of one BPMN 2.0 document, all or none: a process
// whose id names an existing definition becomes its next version (Flowable deploys
// the same key as a new version), the others new definitions of tenant (when not "").
func (a *API) deployBPMN(ctx context.Context, f deployFile, tenant, by string) ([]*engine.Process, error) {
	res, err := bpmn.Import(bytes.NewReader(f.data), bpmn.Options{})
	if err != nil {
		return nil, err
	}
	saved, err := deploy.Save(ctx, a.deps.Definitions, res, deploy.Options{By: by, TenantID: tenant, Upsert: true})
	if err != nil {
		return nil, err
	}
	out := make([]*engine.Process, len(saved))
	for i, s := range saved {
		out[i] = s.Process
	}
	return out, nil
}

// deployOne stores one definition file: a new definition, or the next version of the
// existing definition its "id" names. tenant (the form's tenantId), when not "", is
// the new definition's tenant; a definition stays in its tenant, so a new version of
// one of another tenant answers 400.
func (a *API) deployOne(ctx context.Context, f deployFile, tenant, by string) (*engine.Process, error) {
	if err := checkDepth(f.data, 64); err != nil {
		return nil, badRequest("%s: %s", f.name, err.Error())
	}
	var p engine.Process
	if err := json.Unmarshal(f.data, &p); err != nil {
		return nil, badRequest("%s is not a flowcraft JSON definition: %v", f.name, err)
	}
	if tenant != "" {
		p.TenantID = tenant
	}
	if p.ID != "" {
		cur, err := a.deps.Definitions.Get(ctx, p.ID)
		switch {
		case err == nil:
			if p.TenantID != "" && p.TenantID != cur.TenantID {
				return nil, badRequest("%s: definition %s belongs to tenant %q; it cannot be deployed to tenant %q", f.name, cur.ID, cur.TenantID, p.TenantID)
			}
			p.Version = cur.Version
			return a.deps.Definitions.Replace(ctx, cur.ID, &p, by)
		case !errors.Is(err, engine.ErrNotFound):
			return nil, err
		}
	}
	return a.deps.Definitions.Create(ctx, &p, by)
}
