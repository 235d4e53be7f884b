package storetest

import (
	"slices"

	"flowcraft/engine"
	"flowcraft/identity"
)

func (f *fixture) user(id, role string, groups ...string) *engine.User {
	f.Helper()
	u := &engine.User{ID: id, Name: "User " + id, Email: id + "@example.com", Role: role, Groups: groups, CreateAt: ms(0), UpdateAt: ms(0)}
	if u.Groups == nil {
		u.Groups = []string{}
	}
	f.must(f.s.InsertUser(f.ctx, u, "hash-of-"+id), "insert user "+id)
	return u
}

func (f *fixture) group(id string) *engine.Group {
	f.Helper()
	g := &engine.Group{ID: id, Name: "Group " + id, CreateAt: ms(0)}
	f.must(f.s.InsertGroup(f.ctx, g), "insert group "+id)
	return g
}

func (f *fixture) session(user, hash string, expires int64) {
	f.Helper()
	f.must(f.s.InsertSession(f.ctx, hash, &identity.Session{UserID: user, CSRF: "csrf-" + hash, CreateAt: ms(0), ExpiresAt: expires}), "insert session")
}

func testUsers(f *fixture) {
	f.group("hr")
	f.group("it")
	u := f.user("lisi", engine.RoleUser, "it", "hr")
	f.wantErr(f.s.InsertUser(f.ctx, &engine.User{ID: "lisi", Role: engine.RoleUser}, "h"), engine.ErrConflict, "insert a taken id")
	f.wantErr(f.s.InsertUser(f.ctx, &engine.User{ID: "wang", Role: engine.RoleUser, Groups: []string{"nope"}}, "h"), engine.ErrInvalid,
		"insert with an unknown group")
	if _, err := f.s.GetUser(f.ctx, "wang"); err == nil {
		f.Error("a refused insert stored the user")
	}

	got, err := f.s.GetUser(f.ctx, "lisi")
	if err != nil || got.Name != u.Name || got.Email != u.Email || got.Role != engine.RoleUser || got.Disabled ||
		!slices.Equal(got.Groups, []string{"hr", "it"}) || got.CreateAt != ms(0) {
		f.Errorf("round trip: %+v %v", got, err)
	}
	_, err = f.s.GetUser(f.ctx, "nobody")
	f.wantErr(err, engine.ErrNotFound, "get a missing user")
	if h, err := f.s.UserPasswordHash(f.ctx, "lisi"); err != nil || h != "hash-of-lisi" {
		f.Errorf("password hash: %q %v", h, err)
	}
	_, err = f.s.UserPasswordHash(f.ctx, "nobody")
	f.wantErr(err, engine.ErrNotFound, "password of a missing user")
	if n, err := f.s.CountUsers(f.ctx); err != nil || n != 1 {
		f.Errorf("count: %d %v", n, err)
	}

	// An edit without a password keeps the password and the sessions.
	f.session("lisi", "s1", secs(1000))
	got.Name, got.Groups = "李四", []string{"hr"}
	f.must(f.s.UpdateUser(f.ctx, got, ""), "update")
	if h, _ := f.s.UserPasswordHash(f.ctx, "lisi"); h != "hash-of-lisi" {
		f.Errorf("an edit without a password changed it: %q", h)
	}
	if again, err := f.s.GetUser(f.ctx, "lisi"); err != nil || again.Name != "李四" || !slices.Equal(again.Groups, []string{"hr"}) {
		f.Errorf("after the update: %+v %v", again, err)
	}
	if _, err := f.s.SessionBySecretHash(f.ctx, "s1"); err != nil {
		f.Errorf("an edit signed the user out: %v", err)
	}
	if members, err := f.s.ListMembers(f.ctx, "it"); err != nil || len(members) != 0 {
		f.Errorf("members of a group the user left: %v %v", members, err)
	}
	// A new password signs the user out everywhere; so does disabling.
	f.must(f.s.UpdateUser(f.ctx, got, "hash2"), "change the password")
	if h, _ := f.s.UserPasswordHash(f.ctx, "lisi"); h != "hash2" {
		f.Errorf("password after a change: %q", h)
	}
	_, err = f.s.SessionBySecretHash(f.ctx, "s1")
	f.wantErr(err, engine.ErrNotFound, "a session after a password change")
	f.session("lisi", "s2", secs(1000))
	got.Disabled = true
	f.must(f.s.UpdateUser(f.ctx, got, ""), "disable")
	_, err = f.s.SessionBySecretHash(f.ctx, "s2")
	f.wantErr(err, engine.ErrNotFound, "a session after disabling")
	if again, _ := f.s.GetUser(f.ctx, "lisi"); !again.Disabled {
		f.Error("disabled did not stick")
	}
	f.wantErr(f.s.UpdateUser(f.ctx, &engine.User{ID: "nobody", Role: engine.RoleUser}, ""), engine.ErrNotFound, "update a missing user")
	bad := *got
	bad.Groups = []string{"nope"}
	f.wantErr(f.s.UpdateUser(f.ctx, &bad, ""), engine.ErrInvalid, "update with an unknown group")

	// Deleting a user takes its tokens, sessions and memberships along.
	got.Disabled = false
	f.must(f.s.UpdateUser(f.ctx, got, ""), "enable")
	f.session("lisi", "s3", secs(1000))
	f.must(f.s.InsertToken(f.ctx, &identity.APIToken{ID: "t1", UserID: "lisi", Name: "ci", Prefix: "fc_1", CreateAt: ms(0)}, "th1"), "insert token")
	f.must(f.s.DeleteUser(f.ctx, "lisi"), "delete")
	_, err = f.s.GetUser(f.ctx, "lisi")
	f.wantErr(err, engine.ErrNotFound, "a deleted user")
	_, err = f.s.TokenBySecretHash(f.ctx, "th1")
	f.wantErr(err, engine.ErrNotFound, "a token of a deleted user")
	_, err = f.s.SessionBySecretHash(f.ctx, "s3")
	f.wantErr(err, engine.ErrNotFound, "a session of a deleted user")
	if members, err := f.s.ListMembers(f.ctx, "hr"); err != nil || len(members) != 0 {
		f.Errorf("members after the delete: %v %v", members, err)
	}
	f.wantErr(f.s.DeleteUser(f.ctx, "lisi"), engine.ErrNotFound, "delete twice")
}

func testListUsers(f *fixture) {
	f.group("hr")
	f.group("it")
	f.user("ann", engine.RoleAdmin, "hr", "it")
	f.user("bob", engine.RoleUser)
	carl := &engine.User{ID: "carl", Name: "Carl 100%_sure", Email: "c@example.org", Role: engine.RoleDesigner, Groups: []string{"it"}, CreateAt: secs(2), UpdateAt: secs(2)}
	f.must(f.s.InsertUser(f.ctx, carl, "h"), "insert carl")
	list := func(q string, pg engine.Page) ([]string, int) {
		f.Helper()
		if pg.Limit == 0 {
			pg.Limit = 10
		}
		us, total, err := f.s.ListUsers(f.ctx, q, pg)
		f.must(err, "list users")
		var out []string
		for _, u := range us {
			out = append(out, u.ID)
			if u.Groups == nil {
				f.Errorf("user %s listed with nil groups", u.ID)
			}
		}
		return out, total
	}
	check := func(what, q string, pg engine.Page, want ...string) {
		f.Helper()
		if got, total := list(q, pg); !slices.Equal(got, want) || total != len(want) {
			f.Errorf("%s: %v (total %d), want %v", what, got, total, want)
		}
	}
	check("all, by id", "", engine.Page{}, "ann", "bob", "carl")
	check("by id, descending", "", engine.Page{Desc: true}, "carl", "bob", "ann")
	check("by role", "", engine.Page{Sort: "role"}, "ann", "carl", "bob")
	check("search an id", "BO", engine.Page{}, "bob")
	check("search a name", "user", engine.Page{}, "ann", "bob")
	check("search an email", "example.org", engine.Page{}, "carl")
	check("% is no wildcard", "%", engine.Page{}, "carl")
	check("_ is no wildcard", "_", engine.Page{}, "carl")
	got, total := list("", engine.Page{Limit: 1, Offset: 1})
	if !slices.Equal(got, []string{"bob"}) || total != 3 {
		f.Errorf("a page: %v of %d", got, total)
	}
	us, _, err := f.s.ListUsers(f.ctx, "ann", engine.Page{Limit: 10})
	if err != nil || len(us) != 1 || !slices.Equal(us[0].Groups, []string{"hr", "it"}) || us[0].Role != engine.RoleAdmin {
		f.Errorf("a listed user's groups: %+v %v", us, err)
	}
	_, _, err = f.s.ListUsers(f.ctx, "", engine.Page{Limit: 10, Sort: "password_hash"})
	f.wantErr(err, engine.ErrInvalid, "sort users by an unknown field")
}

func testLastAdmin(f *fixture) {
	root := f.user("root", engine.RoleAdmin)
	f.user("eve", engine.RoleUser)

	demoted := *root
	demoted.Role = engine.RoleUser
	f.wantErr(f.s.UpdateUser(f.ctx, &demoted, ""), engine.ErrConflict, "demote the only admin")
	disabled := *root
	disabled.Disabled = true
	f.wantErr(f.s.UpdateUser(f.ctx, &disabled, ""), engine.ErrConflict, "disable the only admin")
	f.wantErr(f.s.DeleteUser(f.ctx, "root"), engine.ErrConflict, "delete the only admin")
	if got, err := f.s.GetUser(f.ctx, "root"); err != nil || got.Role != engine.RoleAdmin || got.Disabled {
		f.Fatalf("a refused change stuck: %+v %v", got, err)
	}
	// Others change freely.
	f.must(f.s.DeleteUser(f.ctx, "eve"), "delete a user")

	// A disabled admin does not count.
	off := f.user("off", engine.RoleAdmin)
	off.Disabled = true
	f.must(f.s.UpdateUser(f.ctx, off, ""), "disable a second admin")
	f.wantErr(f.s.DeleteUser(f.ctx, "root"), engine.ErrConflict, "delete the only enabled admin")
	f.must(f.s.DeleteUser(f.ctx, "off"), "delete a disabled admin")

	// With two admins one may go; then the other is the last.
	f.user("ada", engine.RoleAdmin)
	f.must(f.s.UpdateUser(f.ctx, &demoted, ""), "demote one of two admins")
	ada, _ := f.s.GetUser(f.ctx, "ada")
	ada.Role = engine.RoleDesigner
	f.wantErr(f.s.UpdateUser(f.ctx, ada, ""), engine.ErrConflict, "demote the admin left")
}

func testGroups(f *fixture) {
	f.group("hr")
	f.group("dev")
	f.wantErr(f.s.InsertGroup(f.ctx, &engine.Group{ID: "hr", Name: "again"}), engine.ErrConflict, "insert a taken id")
	if g, err := f.s.GetGroup(f.ctx, "hr"); err != nil || g.Name != "Group hr" || g.CreateAt != ms(0) {
		f.Errorf("get: %+v %v", g, err)
	}
	_, err := f.s.GetGroup(f.ctx, "nope")
	f.wantErr(err, engine.ErrNotFound, "get a missing group")
	gs, total, err := f.s.ListGroups(f.ctx, engine.Page{Limit: 10})
	if err != nil || total != 2 || len(gs) != 2 || gs[0].ID != "dev" || gs[1].ID != "hr" {
		f.Errorf("groups by id: %+v %d %v", gs, total, err)
	}
	gs, total, err = f.s.ListGroups(f.ctx, engine.Page{Limit: 1, Offset: 1, Sort: "name", Desc: true})
	if err != nil || total != 2 || len(gs) != 1 || gs[0].ID != "dev" {
		f.Errorf("second group by name, descending: %+v %d %v", gs, total, err)
	}
	_, _, err = f.s.ListGroups(f.ctx, engine.Page{Limit: 10, Sort: "members"})
	f.wantErr(err, engine.ErrInvalid, "sort groups by an unknown field")
	f.must(f.s.UpdateGroup(f.ctx, &engine.Group{ID: "hr", Name: "People"}), "rename")
	if g, _ := f.s.GetGroup(f.ctx, "hr"); g.Name != "People" {
		f.Errorf("renamed: %+v", g)
	}
	f.wantErr(f.s.UpdateGroup(f.ctx, &engine.Group{ID: "nope", Name: "x"}), engine.ErrNotFound, "rename a missing group")

	// Members.
	f.user("bob", engine.RoleUser)
	f.user("ann", engine.RoleUser)
	if members, err := f.s.ListMembers(f.ctx, "hr"); err != nil || members == nil || len(members) != 0 {
		f.Errorf("members of an empty group: %v %v (an empty list, not nil)", members, err)
	}
	for _, u := range []string{"bob", "ann", "bob"} { // adding twice is harmless
		f.must(f.s.AddMember(f.ctx, "hr", u), "add "+u)
	}
	members, err := f.s.ListMembers(f.ctx, "hr")
	if err != nil || len(members) != 2 || members[0].ID != "ann" || members[1].ID != "bob" || members[0].Name != "User ann" {
		f.Errorf("members: %+v %v", members, err)
	}
	if u, _ := f.s.GetUser(f.ctx, "bob"); !slices.Equal(u.Groups, []string{"hr"}) {
		f.Errorf("bob's groups: %v", u.Groups)
	}
	f.must(f.s.RemoveMember(f.ctx, "hr", "bob"), "remove bob")
	f.wantErr(f.s.RemoveMember(f.ctx, "hr", "bob"), engine.ErrNotFound, "remove a non-member")
	// Deleting a group ends its memberships.
	f.must(f.s.DeleteGroup(f.ctx, "hr"), "delete")
	if u, _ := f.s.GetUser(f.ctx, "ann"); len(u.Groups) != 0 {
		f.Errorf("groups of a member of a deleted group: %v", u.Groups)
	}
	f.wantErr(f.s.DeleteGroup(f.ctx, "hr"), engine.ErrNotFound, "delete twice")
}

func testTokens(f *fixture) {
	f.user("ann", engine.RoleUser)
	f.user("bob", engine.RoleUser)
	if list, err := f.s.ListTokens(f.ctx, "ann"); err != nil || list == nil || len(list) != 0 {
		f.Errorf("no tokens: %v %v (an empty list, not nil)", list, err)
	}
	for i, id := range []string{"t1", "t2"} {
		f.must(f.s.InsertToken(f.ctx, &identity.APIToken{ID: id, UserID: "ann", Name: "ci " + id, Prefix: "fc_" + id,
			CreateAt: ms(0) + int64(i), ExpiresAt: ms(0) + 1000}, "hash-"+id), "insert token "+id)
	}
	f.must(f.s.InsertToken(f.ctx, &identity.APIToken{ID: "t3", UserID: "bob", Name: "bob's", Prefix: "fc_t3", CreateAt: ms(0)}, "hash-t3"), "insert token t3")

	got, err := f.s.TokenBySecretHash(f.ctx, "hash-t1")
	if err != nil || got.ID != "t1" || got.UserID != "ann" || got.Name != "ci t1" || got.Prefix != "fc_t1" || got.ExpiresAt != ms(0)+1000 || got.LastUsedAt != 0 {
		f.Errorf("by secret: %+v %v", got, err)
	}
	_, err = f.s.TokenBySecretHash(f.ctx, "hash-none")
	f.wantErr(err, engine.ErrNotFound, "an unknown secret")
	list, err := f.s.ListTokens(f.ctx, "ann")
	if err != nil || len(list) != 2 || list[0].ID != "t2" || list[1].ID != "t1" {
		f.Errorf("ann's tokens, newest first: %+v %v", list, err)
	}
	f.must(f.s.TouchToken(f.ctx, "t1", secs(5)), "touch")
	if got, _ := f.s.TokenBySecretHash(f.ctx, "hash-t1"); got.LastUsedAt != secs(5) {
		f.Errorf("last used: %d", got.LastUsedAt)
	}
	f.wantErr(f.s.DeleteToken(f.ctx, "t3", "ann"), engine.ErrNotFound, "delete another user's token")
	f.must(f.s.DeleteToken(f.ctx, "t1", "ann"), "delete an own token")
	f.must(f.s.DeleteToken(f.ctx, "t3", ""), "delete any user's token")
	f.wantErr(f.s.DeleteToken(f.ctx, "t3", ""), engine.ErrNotFound, "delete twice")
	if list, _ := f.s.ListTokens(f.ctx, "ann"); len(list) != 1 || list[0].ID != "t2" {
		f.Errorf("tokens left: %+v", list)
	}
}

func testSessions(f *fixture) {
	f.user("ann", engine.RoleUser)
	f.session("ann", "old", secs(10))
	f.session("ann", "edge", secs(20))
	f.session("ann", "new", secs(30))
	s, err := f.s.SessionBySecretHash(f.ctx, "new")
	if err != nil || s.UserID != "ann" || s.CSRF != "csrf-new" || s.CreateAt != ms(0) || s.ExpiresAt != secs(30) {
		f.Errorf("by secret: %+v %v", s, err)
	}
	_, err = f.s.SessionBySecretHash(f.ctx, "none")
	f.wantErr(err, engine.ErrNotFound, "an unknown session")
	f.must(f.s.DeleteExpiredSessions(f.ctx, secs(20)), "delete expired")
	for hash, live := range map[string]bool{"old": false, "edge": false, "new": true} {
		_, err := f.s.SessionBySecretHash(f.ctx, hash)
		if live != (err == nil) {
			f.Errorf("session %s after deleting those expired at %d: %v", hash, secs(20), err)
		}
	}
	f.must(f.s.DeleteSession(f.ctx, "new"), "sign out")
	_, err = f.s.SessionBySecretHash(f.ctx, "new")
	f.wantErr(err, engine.ErrNotFound, "a session signed out")
	f.must(f.s.DeleteSession(f.ctx, "new"), "sign out twice is harmless")
}
