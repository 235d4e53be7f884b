package flowable

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"flowcraft/engine"
)

// The mapping of Flowable's repository onto flowcraft (DESIGN §8; docs/flowable-api.md):
//
//   - Every stored version of a definition is one deployment, holding one case
//     definition. A definition saved in the designer or through /api gets a new
//     deployment with every version; POST cmmn-repository/deployments stores an
//     uploaded file as a new definition (version 1) or, when the file's "id" names an
//     existing definition, as that definition's next version — as Flowable versions a
//     redeployed key.
//   - Deployment id: "<process id>-<version>" (proc-avxhke9u-3). Case definition id:
//     "<key>:<version>" (proc-avxhke9u:3), key = the process id, as Flowable's
//     key:version:... ids. Both are stable and derived, so nothing new is stored.
//   - A deployment's resources: "<process id>.json" (the definition version, type
//     caseDefinition), "<process id>.bpmn20.xml" (its BPMN 2.0 export, package bpmn)
//     and "<process id>.svg" (its diagram, drawn by package diagram). A deployed BPMN
//     file stores each of its processes (deployments.go).
//   - deploymentTime: when the version was stored (its updateAt); the deployment's
//     name: the definition's name at that version.
//   - suspended: the definition is disabled (enabled is the process's current state,
//     shared by all its versions).

// version is one stored version of a definition: a deployment and its case definition.
type version struct {
	def     *engine.Process // as of this version (without tasks when listed)
	latest  bool            // the definition's current version
	enabled bool            // the process's current state
}

func (v *version) key() string          { return v.def.ID }
func (v *version) deploymentID() string { return deploymentID(v.def.ID, v.def.Version) }
func (v *version) definitionID() string { return definitionID(v.def.ID, v.def.Version) }
func (v *version) resourceName() string { return v.def.ID + ".json" }
func (v *version) diagramName() string  { return v.def.ID + ".svg" }

func deploymentID(key string, ver int) string { return key + "-" + strconv.Itoa(ver) }
func definitionID(key string, ver int) string { return key + ":" + strconv.Itoa(ver) }

// parseDeploymentID splits "<process id>-<version>"; ok false when it is not one.
func parseDeploymentID(id string) (string, int, bool) {
	i := strings.LastIndexByte(id, '-')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(id[i+1:])
	if err != nil || n < 1 || id[i+1] == '+' || id[i+1] == '0' {
		return "", 0, false
	}
	return id[:i], n, true
}

// parseDefinitionID splits "<key>:<version>".
func parseDefinitionID(id string) (string, int, bool) {
	key, v, ok := strings.Cut(id, ":")
	if !ok || key == "" {
		return "", 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || v[0] == '+' || v[0] == '0' {
		return "", 0, false
	}
	return key, n, true
}

// listPageSize is how many versions one store query reads when a list must be
// filtered here (a filter the store cannot apply).
const listPageSize = 500

// versions reads one page of definition versions matching f with one store query
// (Definitions.ListVersions: filters, sort and paging in SQL), and their total.
func (a *API) versions(ctx context.Context, f engine.VersionFilter) ([]*version, int, error) {
	list, total, err := a.deps.Definitions.ListVersions(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*version, len(list))
	for i, p := range list {
		out[i] = &version{def: p, enabled: p.Enabled} // latest and enabled are not used by lists
	}
	return out, total, nil
}

// allMatching reads every version matching f (f's paging is replaced), page by page:
// for the filters the store cannot apply, which then filter and page here.
func (a *API) allMatching(ctx context.Context, f engine.VersionFilter) ([]*version, error) {
	var all []*version
	for off := 0; ; off += listPageSize {
		f.Limit, f.Offset = listPageSize, off
		list, total, err := a.versions(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, list...)
		if len(list) == 0 || off+len(list) >= total {
			return all, nil
		}
	}
}

func (a *API) allVersions(ctx context.Context, id string) ([]engine.ProcessVersion, error) {
	var all []engine.ProcessVersion
	for off := 0; ; off += listPageSize {
		list, total, err := a.deps.Definitions.Versions(ctx, id, engine.Page{Limit: listPageSize, Offset: off})
		if errors.Is(err, engine.ErrNotFound) {
			return all, nil // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		all = append(all, list...)
		if len(list) == 0 || off+len(list) >= total {
			return all, nil
		}
	}
}

// lookup finds one version of a definition, with its tasks; ErrNotFound-shaped 404
// (what names the kind of object) when there is none.
func (a *API) lookup(ctx context.Context, key string, ver int, what, id string) (*version, error) {
	h, err := a.deps.Definitions.Get(ctx, key)
	if errors.Is(err, engine.ErrNotFound) {
		return nil, notFound("Could not find a %s with id '%s'.", what, id)
	}
	if err != nil {
		return nil, err
	}
	if ver == h.Version {
		return &version{def: h, latest: true, enabled: h.Enabled}, nil
	}
	if ver > h.Version {
		return nil, notFound("Could not find a %s with id '%s'.", what, id)
	}
	olds, err := a.allVersions(ctx, key)
	if err != nil {
		return nil, err
	}
	for _, o := range olds {
		if o.Version == ver && o.Definition != nil {
			d := o.Definition
			d.ID, d.Version = key, ver
			d.TenantID = h.TenantID // a definition never changes tenant (stored versions may predate it)
			return &version{def: d, enabled: h.Enabled}, nil
		}
	}
	return nil, notFound("Could not find a %s with id '%s'.", what, id)
}
