package flowable

import (
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Identity links of case instances (seed 003 "获取案例实例的相关人员"). flowcraft keeps no
// links of its own for an instance: they follow from what it stores. The user who
// started the instance is its starter and a participant; whoever is assigned or
// completed one of its human tasks is a participant (as Flowable involves them). So
// the links read here are always true, and POST answers 201 for a link that holds
// already; a link that does not hold cannot be added (400 saying why), nor can one
// that holds be removed (400); DELETE of a link that does not exist is the seed's
// 404.

// Link types of case instances.
const (
	linkStarter     = "starter"
	linkParticipant = "participant"
)

// identityLink is seed 003's identity link.
type identityLink struct {
	URL   string  `json:"url"`
	User  *string `json:"user"`
	Group *string `json:"group"`
	Type  string  `json:"type"`
}

// caseLinks derives the links of an instance, starter first, then participants in
// the order they became involved.
func caseLinks(c *fiber.Ctx, in *engine.InstanceView) []identityLink {
	base := caseURL(c, in.ID.String()) + "/identitylinks/users/"
	var out []identityLink
	add := func(user, typ string) {
		if user == "" {
			return
		}
		for _, l := range out {
			if *l.User == user && l.Type == typ {
				return
			}
		}
		u := user
		out = append(out, identityLink{URL: base + url.PathEscape(user) + "/" + typ, User: &u, Type: typ})
	}
	add(in.Executor, linkStarter)
	add(in.Executor, linkParticipant)
	for _, t := range in.Tasks {
		for _, n := range t.Runtimes {
			for _, ht := range n.HumanTasks {
				add(ht.Assignee, linkParticipant)
				add(ht.CompletedBy, linkParticipant)
			}
		}
	}
	if out == nil {
		out = []identityLink{}
	}
	return out
}

// listCaseLinks handles GET …/case-instances/{caseInstanceId}/identitylinks.
func (a *API) listCaseLinks(c *fiber.Ctx) error {
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	return c.JSON(caseLinks(c, in))
}

// findCaseLink finds the link of the URL's :userId and :type.
func findCaseLink(c *fiber.Ctx, in *engine.InstanceView, user, typ string) (identityLink, bool) {
	links := caseLinks(c, in)
	i := slices.IndexFunc(links, func(l identityLink) bool { return *l.User == user && l.Type == typ })
	if i < 0 {
		return identityLink{}, false
	}
	return links[i], true
}

// getCaseLink handles GET …/identitylinks/users/{userId}/{type}.
func (a *API) getCaseLink(c *fiber.Ctx) error {
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	user, typ := param(c, "userId"), param(c, "type")
	l, ok := findCaseLink(c, in, user, typ)
	if !ok {
		return notFound("Case instance '%s' has no identity link of user '%s' with type '%s'.", in.ID, user, typ)
	}
	return c.JSON(l)
}

// caseLinkBody is the body of POST …/identitylinks.
type caseLinkBody struct {
	UserID  *string `json:"userId"`
	User    *string `json:"user"` // as answered: a client may send back what it read
	GroupID *string `json:"groupId"`
	Group   *string `json:"group"`
	Type    *string `json:"type"`
}

// addCaseLink handles POST …/identitylinks: userId and type are required (400).
func (a *API) addCaseLink(c *fiber.Ctx) error {
	var b caseLinkBody
	if err := a.decodeJSON(c, &b); err != nil {
		return err
	}
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	user := ""
	for _, s := range []*string{b.UserID, b.User} {
		if s != nil && *s != "" {
			user = *s
		}
	}
	switch {
	case b.GroupID != nil && *b.GroupID != "" || b.Group != nil && *b.Group != "":
		return badRequest("case instances have identity links of users only; send userId and type")
	case user == "":
		return badRequest("userId is required")
	case b.Type == nil || *b.Type == "":
		return badRequest("type is required")
	}
	if l, ok := findCaseLink(c, in, user, *b.Type); ok {
		return c.Status(fiber.StatusCreated).JSON(l)
	}
	return badRequest("flowcraft derives a case instance's identity links from the instance: its starter (starter and participant) and the users assigned to or completing its tasks (participant); %s cannot be made a %s of case instance %s by hand",
		user, *b.Type, in.ID)
}

// removeCaseLink handles DELETE …/identitylinks/users/{userId}/{type}.
func (a *API) removeCaseLink(c *fiber.Ctx) error {
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	user, typ := param(c, "userId"), param(c, "type")
	if _, ok := findCaseLink(c, in, user, typ); !ok {
		return notFound("Case instance '%s' has no identity link of user '%s' with type '%s'.", in.ID, user, typ)
	}
	return badRequest("the %s link of %s follows from case instance %s itself (who started it or works its tasks); it cannot be removed", typ, user, in.ID)
}
