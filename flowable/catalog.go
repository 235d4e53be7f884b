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
//     caseDefinition) and "<process id>.svg" (its diagram, drawn by package diagram).
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

// listPageSize is how many definitions one store query reads while listing.
const listPageSize = 500

// catalog reads every definition's versions: all of them, or only the current ones
// (latestOnly), optionally only definitions with exactly this name or key. It reads
// from the engine's own lists (no index of its own), so it costs one query per
// definition for the earlier versions; fine for hundreds of definitions.
func (a *API) catalog(ctx context.Context, latestOnly bool, key string) ([]*version, error) {
	var heads []*engine.Process
	if key != "" {
		p, err := a.deps.Definitions.Get(ctx, key)
		if errors.Is(err, engine.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		heads = []*engine.Process{p}
	} else {
		for off := 0; ; off += listPageSize {
			list, total, err := a.deps.Definitions.List(ctx, engine.ProcessFilter{Page: engine.Page{Limit: listPageSize, Offset: off, Sort: "id"}})
			if err != nil {
				return nil, err
			}
			heads = append(heads, list...)
			if len(list) == 0 || off+len(list) >= total {
				break
			}
		}
	}
	var out []*version
	for _, h := range heads {
		out = append(out, &version{def: h, latest: true, enabled: h.Enabled})
		if latestOnly || h.Version <= 1 {
			continue
		}
		olds, err := a.allVersions(ctx, h.ID)
		if err != nil {
			return nil, err
		}
		for _, o := range olds {
			d := o.Definition
			if d == nil {
				continue
			}
			d.ID, d.Version = h.ID, o.Version
			out = append(out, &version{def: d, enabled: h.Enabled})
		}
	}
	return out, nil
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
			return &version{def: d, enabled: h.Enabled}, nil
		}
	}
	return nil, notFound("Could not find a %s with id '%s'.", what, id)
}
