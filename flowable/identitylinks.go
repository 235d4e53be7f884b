package flowable

import (
	"errors"
	"net/url"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Identity links of case instances (seed 003 "获取案例实例的相关人员"). Some follow from
// the instance itself: the user who started it is its starter and a participant;
// whoever is assigned or completed one of its human tasks is a participant (as
// Flowable involves them). Others are added by hand (POST: a user and any type, kept
// by the store, gone with the instance). involvedUser finds the instances of both.
// POST of a link that holds already answers 201 with it; DELETE removes a link added
// by hand (204), refuses one that follows from the instance (400) and answers the
// seed's 404 for one that does not exist.

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

// caseLinks lists the links of an instance: the starter's, those added by hand (in
// the order they were added), then the participants of its human tasks. derived
// tells which follow from the instance.
func (a *API) caseLinks(c *fiber.Ctx, in *engine.InstanceView) (links []identityLink, derived map[string]bool, err error) {
	base := caseURL(c, in.ID.String()) + "/identitylinks/users/"
	derived = map[string]bool{}
	links = []identityLink{}
	add := func(user, typ string, byHand bool) {
		if user == "" {
			return
		}
		if !byHand {
			derived[user+"\x00"+typ] = true
		}
		for _, l := range links {
			if *l.User == user && l.Type == typ {
				return
			}
		}
		u := user
		links = append(links, identityLink{URL: base + url.PathEscape(user) + "/" + url.PathEscape(typ), User: &u, Type: typ})
	}
	add(in.Executor, linkStarter, false)
	add(in.Executor, linkParticipant, false)
	if a.deps.InstanceLinks != nil {
		stored, err := a.deps.InstanceLinks.InstanceLinks(c.UserContext(), in.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, l := range stored {
			add(l.UserID, l.Type, true)
		}
	}
	for _, t := range in.Tasks {
		for _, n := range t.Runtimes {
			for _, ht := range n.HumanTasks {
				add(ht.Assignee, linkParticipant, false)
				add(ht.CompletedBy, linkParticipant, false)
			}
		}
	}
	return links, derived, nil
}

// listCaseLinks handles GET …/case-instances/{caseInstanceId}/identitylinks.
func (a *API) listCaseLinks(c *fiber.Ctx) error {
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	links, _, err := a.caseLinks(c, in)
	if err != nil {
		return err
	}
	return c.JSON(links)
}

// findCaseLink finds the link of a user and type; derived tells whether it follows
// from the instance.
func (a *API) findCaseLink(c *fiber.Ctx, in *engine.InstanceView, user, typ string) (l identityLink, found, derived bool, err error) {
	links, d, err := a.caseLinks(c, in)
	if err != nil {
		return l, false, false, err
	}
	i := slices.IndexFunc(links, func(l identityLink) bool { return *l.User == user && l.Type == typ })
	if i < 0 {
		return l, false, false, nil
	}
	return links[i], true, d[user+"\x00"+typ], nil
}

func noCaseLink(in *engine.InstanceView, user, typ string) error {
	return notFound("Case instance '%s' has no identity link of user '%s' with type '%s'.", in.ID, user, typ)
}

// getCaseLink handles GET …/identitylinks/users/{userId}/{type}.
func (a *API) getCaseLink(c *fiber.Ctx) error {
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	user, typ := param(c, "userId"), param(c, "type")
	l, ok, _, err := a.findCaseLink(c, in, user, typ)
	if err != nil {
		return err
	}
	if !ok {
		return noCaseLink(in, user, typ)
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

// addCaseLink handles POST …/identitylinks {userId, type} (both required: 400): 201
// with the link.
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
	link, err := engine.CheckInstanceLink(engine.InstanceLink{UserID: user, Type: *b.Type, CreateAt: time.Now().UnixMilli()})
	if err != nil {
		return err
	}
	if l, ok, _, err := a.findCaseLink(c, in, link.UserID, link.Type); err != nil || ok {
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(l)
	}
	if a.deps.InstanceLinks == nil {
		return badRequest("this server keeps no identity links added by hand")
	}
	if err := a.deps.InstanceLinks.AddInstanceLink(c.UserContext(), in.ID, link); err != nil {
		return err
	}
	l, _, _, err := a.findCaseLink(c, in, link.UserID, link.Type)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(l)
}

// removeCaseLink handles DELETE …/identitylinks/users/{userId}/{type}.
func (a *API) removeCaseLink(c *fiber.Ctx) error {
	in, err := a.caseParam(c)
	if err != nil {
		return err
	}
	user, typ := param(c, "userId"), param(c, "type")
	_, ok, derived, err := a.findCaseLink(c, in, user, typ)
	switch {
	case err != nil:
		return err
	case !ok:
		return noCaseLink(in, user, typ)
	case derived:
		return badRequest("the %s link of %s follows from case instance %s itself (who started it or works its tasks); it cannot be removed", typ, user, in.ID)
	}
	err = a.deps.InstanceLinks.RemoveInstanceLink(c.UserContext(), in.ID, user, typ)
	if errors.Is(err, engine.ErrNotFound) {
		return noCaseLink(in, user, typ) // removed meanwhile
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
