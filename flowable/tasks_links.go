package flowable

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"flowcraft/engine"
)

// Identity links of tasks (seed 003 "获取任务的所有身份链接"): the assignee and the
// owner (users, types assignee and owner) and the candidates (users or groups, type
// candidate). POST adds a candidate, or sets the assignee or owner; DELETE removes a
// candidate, or clears the assignee or owner it names.

const (
	linkAssignee = "assignee"
	linkOwner    = "owner"
	linkCand     = "candidate"
)

// taskLinkURL is the URL of one link of a task.
func taskLinkURL(c *fiber.Ctx, taskID, family, id, typ string) string {
	return taskURL(c, taskID) + "/identitylinks/" + family + "/" + url.PathEscape(id) + "/" + typ
}

// taskLinks lists a task's links; family "" = both.
func taskLinks(c *fiber.Ctx, t *engine.HumanTask, family string) []identityLink {
	id := t.ID.String()
	out := []identityLink{}
	user := func(u, typ string) {
		out = append(out, identityLink{URL: taskLinkURL(c, id, familyUsers, u, typ), User: strPtr(u), Type: typ})
	}
	if family != familyGroups {
		if t.Assignee != "" {
			user(t.Assignee, linkAssignee)
		}
		if t.Owner != "" {
			user(t.Owner, linkOwner)
		}
		for _, u := range t.CandidateUsers {
			user(u, linkCand)
		}
	}
	if family != familyUsers {
		for _, g := range t.CandidateGroups {
			out = append(out, identityLink{URL: taskLinkURL(c, id, familyGroups, g, linkCand), Group: strPtr(g), Type: linkCand})
		}
	}
	return out
}

// listTaskLinks handles GET …/tasks/{taskId}/identitylinks and …/identitylinks/{users|groups}.
func (a *API) listTaskLinks(c *fiber.Ctx) error {
	family := param(c, "family")
	if family != "" && family != familyUsers && family != familyGroups {
		return notFound("Unknown identity link family '%s': use users or groups.", family)
	}
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	return c.JSON(taskLinks(c, t, family))
}

// taskLinkParams reads :family, :identityId and :type.
func taskLinkParams(c *fiber.Ctx) (family, id, typ string, err error) {
	family, id, typ = param(c, "family"), param(c, "identityId"), param(c, "type")
	if family != familyUsers && family != familyGroups {
		return "", "", "", notFound("Unknown identity link family '%s': use users or groups.", family)
	}
	return family, id, typ, nil
}

// findTaskLink finds a link of a task.
func findTaskLink(c *fiber.Ctx, t *engine.HumanTask, family, id, typ string) (identityLink, bool) {
	for _, l := range taskLinks(c, t, family) {
		who := l.User
		if family == familyGroups {
			who = l.Group
		}
		if who != nil && *who == id && l.Type == typ {
			return l, true
		}
	}
	return identityLink{}, false
}

// getTaskLink handles GET …/identitylinks/{family}/{identityId}/{type}.
func (a *API) getTaskLink(c *fiber.Ctx) error {
	family, id, typ, err := taskLinkParams(c)
	if err != nil {
		return err
	}
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	l, ok := findTaskLink(c, t, family, id, typ)
	if !ok {
		return notFound("Task '%s' doesn't have an identity link of type '%s' for %s '%s'.", t.ID, typ, family, id)
	}
	return c.JSON(l)
}

// taskLinkBody is the body of POST …/identitylinks (and its answer, with url).
type taskLinkBody struct {
	UserID  *string `json:"userId"`
	GroupID *string `json:"groupId"`
	Type    *string `json:"type"`
	URL     *string `json:"url"` // read-only: ignored
}

// addTaskLink handles POST …/tasks/{taskId}/identitylinks: 201 with the link.
func (a *API) addTaskLink(c *fiber.Ctx) error {
	var b taskLinkBody
	if err := a.decodeJSON(c, &b); err != nil {
		return err
	}
	user, group, typ := deref(b.UserID), deref(b.GroupID), deref(b.Type)
	switch {
	case user == "" && group == "":
		return badRequest("userId or groupId is required")
	case user != "" && group != "":
		return badRequest("give either userId or groupId, not both")
	case typ == "":
		return badRequest("type is required: candidate, assignee or owner")
	case typ != linkCand && typ != linkAssignee && typ != linkOwner:
		return badRequest("type must be candidate, assignee or owner, not %q", typ)
	case group != "" && typ != linkCand:
		return badRequest("a group can only be a candidate, not the %s", typ)
	}
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	ctx, u := c.UserContext(), caller(c)
	switch typ {
	case linkCand:
		_, err = a.deps.Tasks.AddCandidate(ctx, u, t.ID, user, group)
	case linkAssignee:
		_, err = a.deps.Tasks.UpdateTask(ctx, u, t.ID, engine.TaskUpdate{Assignee: &user})
	case linkOwner:
		_, err = a.deps.Tasks.UpdateTask(ctx, u, t.ID, engine.TaskUpdate{Owner: &user})
	}
	if err != nil {
		return err
	}
	family, who := familyUsers, user
	if group != "" {
		family, who = familyGroups, group
	}
	link := taskLinkURL(c, t.ID.String(), family, who, typ)
	return c.Status(fiber.StatusCreated).JSON(taskLinkBody{UserID: strPtr(user), GroupID: strPtr(group), Type: &typ, URL: &link})
}

// removeTaskLink handles DELETE …/identitylinks/{family}/{identityId}/{type}: 204,
// 404 when the task has no such link.
func (a *API) removeTaskLink(c *fiber.Ctx) error {
	family, id, typ, err := taskLinkParams(c)
	if err != nil {
		return err
	}
	t, err := a.taskParam(c)
	if err != nil {
		return err
	}
	if _, ok := findTaskLink(c, t, family, id, typ); !ok {
		return notFound("Task '%s' doesn't have an identity link of type '%s' for %s '%s'.", t.ID, typ, family, id)
	}
	ctx, u := c.UserContext(), caller(c)
	empty := ""
	switch {
	case typ == linkAssignee:
		_, err = a.deps.Tasks.UpdateTask(ctx, u, t.ID, engine.TaskUpdate{Assignee: &empty})
	case typ == linkOwner:
		_, err = a.deps.Tasks.UpdateTask(ctx, u, t.ID, engine.TaskUpdate{Owner: &empty})
	case family == familyGroups:
		_, err = a.deps.Tasks.RemoveCandidate(ctx, u, t.ID, "", id)
	default:
		_, err = a.deps.Tasks.RemoveCandidate(ctx, u, t.ID, id, "")
	}
	if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
