package flowable

import (
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Candidate starters of case definitions (seed 003 "获取案例定义的所有候选启动者"): the
// identity links of type candidate, A2's candidate starters (engine.Starter). They
// belong to the process, so every version (case definition) of it lists the same ones.
// A definition without any may be started by every user; with some, only by the users
// listed and the members of the groups listed (startableByUser and every start by
// hand follow that rule).

// linkCandidate is the only identity link type of a case definition.
const linkCandidate = "candidate"

// Identity link families of a URL.
const (
	familyUsers  = "users"
	familyGroups = "groups"
)

// starterLinkOf is the identity link of a candidate starter of case definition defID.
func starterLinkOf(c *fiber.Ctx, defID string, s engine.Starter) identityLink {
	base := baseURL(c) + "/cmmn-repository/case-definitions/" + url.PathEscape(defID) + "/identitylinks/"
	l := identityLink{Type: linkCandidate}
	if s.UserID != "" {
		u := s.UserID
		l.User, l.URL = &u, base+familyUsers+"/"+url.PathEscape(u)
	} else {
		g := s.GroupID
		l.Group, l.URL = &g, base+familyGroups+"/"+url.PathEscape(g)
	}
	return l
}

// listStarterLinks handles GET (cmmn-)repository/case-definitions/{id}/identitylinks.
func (a *API) listStarterLinks(c *fiber.Ctx) error {
	v, err := a.caseDefinitionParam(c)
	if err != nil {
		return err
	}
	starters, err := a.deps.Definitions.Starters(c.UserContext(), v.key())
	if err != nil {
		return err
	}
	out := make([]identityLink, 0, len(starters))
	for _, s := range starters {
		out = append(out, starterLinkOf(c, v.definitionID(), s))
	}
	return c.JSON(out)
}

// starterLinkBody is the body of POST .../identitylinks: {"user": "kermit"} or
// {"groupId": "sales"} as the seed writes them; "group" (the field the answers carry),
// "type" (candidate, the only one) and "url" (ignored) are accepted too, so that an
// answer may be sent back.
type starterLinkBody struct {
	User    *string `json:"user"`
	Group   *string `json:"group"`
	GroupID *string `json:"groupId"`
	Type    *string `json:"type"`
	URL     *string `json:"url"`
}

// addStarterLink handles POST cmmn-repository/case-definitions/{id}/identitylinks:
// 201 with the link (also when it was listed already).
func (a *API) addStarterLink(c *fiber.Ctx) error {
	var body starterLinkBody
	if err := a.decodeJSON(c, &body); err != nil {
		return err
	}
	v, err := a.caseDefinitionParam(c)
	if err != nil {
		return err
	}
	if body.Group != nil && body.GroupID != nil && *body.Group != *body.GroupID {
		return badRequest("group and groupId name different groups; send one of them")
	}
	if body.GroupID == nil {
		body.GroupID = body.Group
	}
	switch {
	case body.User == nil && body.GroupID == nil:
		return badRequest("the body must name a user (user) or a group (groupId)")
	case body.User != nil && body.GroupID != nil:
		return badRequest("a candidate starter is a user or a group, not both; send user or groupId")
	case body.Type != nil && *body.Type != linkCandidate:
		return badRequest("a case definition's identity links are of type candidate, not %q", *body.Type)
	}
	var s engine.Starter
	if body.User != nil {
		s.UserID = *body.User
	} else {
		s.GroupID = *body.GroupID
	}
	if strings.TrimSpace(s.UserID+s.GroupID) == "" {
		return badRequest("the user or group of a candidate starter must not be empty")
	}
	s, err = a.deps.Definitions.AddStarter(c.UserContext(), v.key(), s, caller(c).ID)
	if err != nil {
		return err
	}
	l := starterLinkOf(c, v.definitionID(), s)
	c.Location(l.URL)
	return c.Status(fiber.StatusCreated).JSON(l)
}

// starterParam reads :family and :identityId as a candidate starter (400 for a family
// other than users and groups, as Flowable).
func starterParam(c *fiber.Ctx) (engine.Starter, error) {
	id := param(c, "identityId")
	switch family := param(c, "family"); family {
	case familyUsers:
		return engine.Starter{UserID: id}, nil
	case familyGroups:
		return engine.Starter{GroupID: id}, nil
	default:
		return engine.Starter{}, badRequest("identity link family must be users or groups, not %q", family)
	}
}

// getStarterLink handles GET .../identitylinks/{family}/{identityId}: 404 unless the
// definition lists that user or group.
func (a *API) getStarterLink(c *fiber.Ctx) error {
	v, err := a.caseDefinitionParam(c)
	if err != nil {
		return err
	}
	want, err := starterParam(c)
	if err != nil {
		return err
	}
	starters, err := a.deps.Definitions.Starters(c.UserContext(), v.key())
	if err != nil {
		return err
	}
	for _, s := range starters {
		if s == want {
			return c.JSON(starterLinkOf(c, v.definitionID(), s))
		}
	}
	return notFound("Could not find a candidate starter %s/%s of case definition '%s'.", param(c, "family"), param(c, "identityId"), v.definitionID())
}

// removeStarterLink handles DELETE .../identitylinks/{family}/{identityId}: 204, or
// 404 when the definition does not list that user or group.
func (a *API) removeStarterLink(c *fiber.Ctx) error {
	v, err := a.caseDefinitionParam(c)
	if err != nil {
		return err
	}
	s, err := starterParam(c)
	if err != nil {
		return err
	}
	if strings.TrimSpace(s.UserID+s.GroupID) == "" {
		return notFound("Could not find a candidate starter %s/%s of case definition '%s'.", param(c, "family"), param(c, "identityId"), v.definitionID())
	}
	if err := a.deps.Definitions.RemoveStarter(c.UserContext(), v.key(), s, caller(c).ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// like matches an xxxLike filter as the store does (db/sqlite likeFilter, seed 003's
// convention): with a %, the pattern with % as the wildcard (_ is itself); without, a
// substring; ASCII letters match in either case (SQLite's LIKE).
func like(pattern, s string) bool {
	p, v := []rune(asciiLower(pattern)), []rune(asciiLower(s))
	if !slices.Contains(p, '%') {
		return strings.Contains(string(v), string(p))
	}
	// Iterative matching with backtracking on the last %.
	pi, vi, star, mark := 0, 0, -1, 0
	for vi < len(v) {
		switch {
		case pi < len(p) && p[pi] == '%':
			star, mark = pi, vi
			pi++
		case pi < len(p) && p[pi] == v[vi]:
			pi++
			vi++
		case star >= 0:
			pi = star + 1
			mark++
			vi = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
