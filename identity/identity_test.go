package identity_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"flowcraft/db/sqlite"
	"flowcraft/engine"
	"flowcraft/identity"
)

func newIdentity(t *testing.T, now func() time.Time) (*identity.Service, *sqlite.Store) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := sqlite.Open(context.Background(), t.TempDir(), sqlite.Options{}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close(context.Background()) })
	return identity.New(store, identity.Options{BcryptCost: bcrypt.MinCost, SessionTTL: time.Hour}, now, log), store
}

func TestBootstrap(t *testing.T) {
	ctx := context.Background()
	id, _ := newIdentity(t, nil)
	pw, err := id.Bootstrap(ctx, "")
	if err != nil || len(pw) != 20 {
		t.Fatalf("random password %q, %v", pw, err)
	}
	if _, err := id.CheckPassword(ctx, "admin", pw, ""); err != nil {
		t.Fatalf("admin cannot sign in: %v", err)
	}
	// A second start creates nothing and prints nothing.
	if again, err := id.Bootstrap(ctx, "other-password"); err != nil || again != "" {
		t.Fatalf("second bootstrap: %q %v", again, err)
	}
	u, _ := id.GetUser(ctx, "admin")
	if u.Role != engine.RoleAdmin {
		t.Errorf("admin role %q", u.Role)
	}
}

func TestPasswordCacheForgetsChanges(t *testing.T) {
	ctx := context.Background()
	id, _ := newIdentity(t, nil)
	if _, err := id.CreateUser(ctx, &engine.User{ID: "lisi"}, "first-pass"); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckPassword(ctx, "lisi", "first-pass", ""); err != nil {
		t.Fatal(err)
	}
	newPass := "second-pass"
	if _, err := id.UpdateUser(ctx, "lisi", identity.UserInput{Password: &newPass}); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckPassword(ctx, "lisi", "first-pass", ""); !errors.Is(err, engine.ErrUnauthorized) {
		t.Fatalf("old password still works (cached): %v", err)
	}
	if _, err := id.CheckPassword(ctx, "lisi", newPass, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckPassword(ctx, "ghost", newPass, ""); !errors.Is(err, engine.ErrUnauthorized) {
		t.Fatalf("unknown user: %v", err)
	}
}

func TestSessionsExpire(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	id, _ := newIdentity(t, func() time.Time { return clock })
	if _, err := id.CreateUser(ctx, &engine.User{ID: "lisi"}, "first-pass"); err != nil {
		t.Fatal(err)
	}
	secret, sess, _, err := id.Login(ctx, "lisi", "first-pass", "")
	if err != nil {
		t.Fatal(err)
	}
	if s, u, err := id.SessionUser(ctx, secret); err != nil || u.ID != "lisi" || s.CSRF != sess.CSRF {
		t.Fatalf("session: %v", err)
	}
	if !identity.CSRFMatches(sess, sess.CSRF) || identity.CSRFMatches(sess, "") || identity.CSRFMatches(sess, "x") {
		t.Error("CSRFMatches")
	}
	clock = clock.Add(2 * time.Hour)
	if _, _, err := id.SessionUser(ctx, secret); !errors.Is(err, engine.ErrUnauthorized) {
		t.Fatalf("expired session accepted: %v", err)
	}
}

func TestTokensExpire(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	id, _ := newIdentity(t, func() time.Time { return clock })
	if _, err := id.CreateUser(ctx, &engine.User{ID: "bot", Role: engine.RoleDesigner}, "first-pass"); err != nil {
		t.Fatal(err)
	}
	secret, tok, err := id.CreateToken(ctx, "bot", "deploy", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := id.CheckToken(ctx, secret); err != nil || u.ID != "bot" {
		t.Fatalf("token: %v", err)
	}
	list, _ := id.ListTokens(ctx, "bot")
	if len(list) != 1 || list[0].LastUsedAt == 0 || list[0].Prefix != tok.Prefix {
		t.Fatalf("tokens %+v", list)
	}
	clock = clock.Add(2 * time.Hour)
	if _, err := id.CheckToken(ctx, secret); !errors.Is(err, engine.ErrUnauthorized) {
		t.Fatalf("expired token accepted: %v", err)
	}
}

func TestTokenLifetimeIsBounded(t *testing.T) {
	ctx := context.Background()
	id, _ := newIdentity(t, nil)
	if _, err := id.CreateUser(ctx, &engine.User{ID: "bot"}, "first-pass"); err != nil {
		t.Fatal(err)
	}
	for _, ttl := range []time.Duration{-time.Second, identity.MaxTokenTTL + time.Second} {
		if _, _, err := id.CreateToken(ctx, "bot", "x", ttl); !errors.Is(err, engine.ErrInvalid) {
			t.Errorf("ttl %v: %v", ttl, err)
		}
	}
	_, tok, err := id.CreateToken(ctx, "bot", "x", identity.MaxTokenTTL)
	if err != nil || tok.ExpiresAt <= tok.CreateAt {
		t.Fatalf("10 years: %+v %v", tok, err)
	}
}

// TestLastAdminStays: no change may leave zero enabled admins.
func TestLastAdminStays(t *testing.T) {
	ctx := context.Background()
	id, _ := newIdentity(t, nil)
	if _, err := id.Bootstrap(ctx, "admin-pass"); err != nil {
		t.Fatal(err)
	}
	yes, designer := true, engine.RoleDesigner
	if _, err := id.UpdateUser(ctx, "admin", identity.UserInput{Disabled: &yes}); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("disable the last admin: %v", err)
	}
	if _, err := id.UpdateUser(ctx, "admin", identity.UserInput{Role: &designer}); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("demote the last admin: %v", err)
	}
	if err := id.DeleteUser(ctx, "admin", "someone"); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("delete the last admin: %v", err)
	}
	if u, _ := id.GetUser(ctx, "admin"); u.Role != engine.RoleAdmin || u.Disabled {
		t.Fatalf("admin changed anyway: %+v", u)
	}
	// Other changes of the last admin go through.
	name := "Root"
	if _, err := id.UpdateUser(ctx, "admin", identity.UserInput{Name: &name}); err != nil {
		t.Fatal(err)
	}
	// With a second admin, one of them may go; a disabled admin does not count.
	if _, err := id.CreateUser(ctx, &engine.User{ID: "ops", Role: engine.RoleAdmin}, "ops-pass1"); err != nil {
		t.Fatal(err)
	}
	if _, err := id.UpdateUser(ctx, "ops", identity.UserInput{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := id.UpdateUser(ctx, "admin", identity.UserInput{Role: &designer}); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("demote the last enabled admin: %v", err)
	}
	no := false
	if _, err := id.UpdateUser(ctx, "ops", identity.UserInput{Disabled: &no}); err != nil {
		t.Fatal(err)
	}
	if err := id.DeleteUser(ctx, "admin", "ops"); err != nil {
		t.Fatalf("delete one of two admins: %v", err)
	}
}

// TestLastAdminRace: two admins demoting each other at once: exactly one succeeds.
func TestLastAdminRace(t *testing.T) {
	ctx := context.Background()
	id, _ := newIdentity(t, nil)
	if _, err := id.Bootstrap(ctx, "admin-pass"); err != nil {
		t.Fatal(err)
	}
	for round := range 20 {
		other := fmt.Sprintf("ops%d", round)
		if _, err := id.CreateUser(ctx, &engine.User{ID: other, Role: engine.RoleAdmin}, "ops-pass1"); err != nil {
			t.Fatal(err)
		}
		user := engine.RoleUser
		errs := make(chan error, 2)
		for _, who := range []string{"admin", other} {
			go func() {
				_, err := id.UpdateUser(ctx, who, identity.UserInput{Role: &user})
				errs <- err
			}()
		}
		e1, e2 := <-errs, <-errs
		if (e1 == nil) == (e2 == nil) || !(errors.Is(e1, engine.ErrConflict) || errors.Is(e2, engine.ErrConflict)) {
			t.Fatalf("round %d: %v, %v", round, e1, e2)
		}
		// Restore: the survivor promotes admin again, the other leaves.
		admin := engine.RoleAdmin
		if _, err := id.UpdateUser(ctx, "admin", identity.UserInput{Role: &admin}); err != nil {
			t.Fatal(err)
		}
		if err := id.DeleteUser(ctx, other, "admin"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestIdentityChanges: observers hear of every change that must end open connections.
func TestIdentityChanges(t *testing.T) {
	ctx := context.Background()
	id, _ := newIdentity(t, nil)
	var got []identity.Change
	id.OnChange(func(c identity.Change) { got = append(got, c) })
	if _, err := id.CreateUser(ctx, &engine.User{ID: "lisi"}, "first-pass"); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CreateGroup(ctx, &engine.Group{ID: "hr"}); err != nil {
		t.Fatal(err)
	}
	secret, sess, _, err := id.Login(ctx, "lisi", "first-pass", "")
	if err != nil {
		t.Fatal(err)
	}
	name := "Li Si"
	id.UpdateUser(ctx, "lisi", identity.UserInput{Name: &name}) // no rights change: no event
	designer, yes := engine.RoleDesigner, true
	id.UpdateUser(ctx, "lisi", identity.UserInput{Role: &designer})
	id.AddMember(ctx, "hr", "lisi")
	id.RemoveMember(ctx, "hr", "lisi")
	id.Logout(ctx, secret)
	id.UpdateUser(ctx, "lisi", identity.UserInput{Disabled: &yes})
	id.DeleteUser(ctx, "lisi", "admin")
	want := []identity.Change{
		{UserID: "lisi", Reason: "role changed"},
		{UserID: "lisi", Reason: "groups changed"},
		{UserID: "lisi", Reason: "groups changed"},
		{UserID: "lisi", Session: sess.Key, Reason: "signed out"},
		{UserID: "lisi", Reason: "account disabled"},
		{UserID: "lisi", Reason: "account deleted"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || sess.Key == "" {
		t.Fatalf("changes\n got %+v\nwant %+v", got, want)
	}
}

// A disabled account answers a right password as it answers a wrong one: anything
// else would confirm the password to a guesser.
func TestDisabledAccountRevealsNothing(t *testing.T) {
	ctx := context.Background()
	id, _ := newIdentity(t, nil)
	if _, err := id.CreateUser(ctx, &engine.User{ID: "lisi"}, "right-pass"); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckPassword(ctx, "lisi", "right-pass", ""); err != nil {
		t.Fatal(err) // cached now
	}
	disabled := true
	if _, err := id.UpdateUser(ctx, "lisi", identity.UserInput{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	_, wrong := id.CheckPassword(ctx, "lisi", "wrong-pass", "")
	_, right := id.CheckPassword(ctx, "lisi", "right-pass", "")
	if !errors.Is(right, engine.ErrUnauthorized) || right.Error() != wrong.Error() {
		t.Fatalf("right password on a disabled account: %v; wrong password: %v", right, wrong)
	}
}

// TestUserInputApply: every field a client may send reaches the user; unset ones stay.
func TestUserInputApply(t *testing.T) {
	name, email, role, groups, yes := "Li Si", "lisi@example.com", engine.RoleDesigner, []string{"hr"}, true
	u := &engine.User{ID: "lisi", Name: "old", Email: "old@example.com", Role: engine.RoleUser, Groups: []string{"ops"}}
	identity.UserInput{ID: "other", Name: &name, Email: &email, Role: &role, Groups: &groups, Disabled: &yes}.Apply(u)
	want := engine.User{ID: "lisi", Name: name, Email: email, Role: role, Groups: groups, Disabled: true}
	if fmt.Sprint(*u) != fmt.Sprint(want) {
		t.Fatalf("applied\n got %+v\nwant %+v", *u, want)
	}
	before := *u
	identity.UserInput{}.Apply(u)
	if fmt.Sprint(*u) != fmt.Sprint(before) {
		t.Fatalf("an empty input changed %+v to %+v", before, *u)
	}
}

// TestTokenCache: a token is read from the store once per CredentialTTL (a worker
// sends it with every request); revoking it through the service takes effect at
// once, and a revocation the service did not see (another process's) within the TTL.
func TestTokenCache(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	id, store := newIdentity(t, func() time.Time { return clock })
	if _, err := id.CreateUser(ctx, &engine.User{ID: "w1", Role: engine.RoleWorker}, "first-pass"); err != nil {
		t.Fatal(err)
	}
	secret, tok, err := id.CreateToken(ctx, "w1", "worker", 0)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := id.CheckToken(ctx, secret); err != nil || u.ID != "w1" {
		t.Fatalf("token: %v", err)
	}
	// Gone from the database behind the service's back: still known for the TTL.
	if err := store.DeleteToken(ctx, tok.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckToken(ctx, secret); err != nil {
		t.Fatalf("cached token refused within the TTL: %v", err)
	}
	clock = clock.Add(time.Minute + time.Second)
	if _, err := id.CheckToken(ctx, secret); !errors.Is(err, engine.ErrUnauthorized) {
		t.Fatalf("a token deleted elsewhere accepted after the TTL: %v", err)
	}
	// Revoked through the service: refused at once.
	secret2, tok2, err := id.CreateToken(ctx, "w1", "worker 2", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckToken(ctx, secret2); err != nil {
		t.Fatal(err)
	}
	if err := id.DeleteToken(ctx, tok2.ID, "w1"); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckToken(ctx, secret2); !errors.Is(err, engine.ErrUnauthorized) {
		t.Fatalf("a revoked token accepted: %v", err)
	}
	// Its user disabled: refused at once too.
	secret3, _, err := id.CreateToken(ctx, "w1", "worker 3", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckToken(ctx, secret3); err != nil {
		t.Fatal(err)
	}
	disabled := true
	if _, err := id.UpdateUser(ctx, "w1", identity.UserInput{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckToken(ctx, secret3); !errors.Is(err, engine.ErrUnauthorized) {
		t.Fatalf("the token of a disabled user accepted: %v", err)
	}
}

// TestUserCache: the account a token signs in is read once per CredentialTTL; a group
// membership or role changed through the service shows at once, a change made behind
// its back (another process's) within the TTL.
func TestUserCache(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	id, store := newIdentity(t, func() time.Time { return clock })
	if _, err := id.CreateUser(ctx, &engine.User{ID: "w1", Role: engine.RoleWorker}, "first-pass"); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CreateGroup(ctx, &engine.Group{ID: "billing", Name: "Billing"}); err != nil {
		t.Fatal(err)
	}
	secret, _, err := id.CreateToken(ctx, "w1", "worker", 0)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := id.CheckToken(ctx, secret); err != nil || len(u.Groups) != 0 {
		t.Fatalf("token: %+v %v", u, err)
	}
	if err := id.AddMember(ctx, "billing", "w1"); err != nil {
		t.Fatal(err)
	}
	u, err := id.CheckToken(ctx, secret)
	if err != nil || len(u.Groups) != 1 || u.Groups[0] != "billing" {
		t.Fatalf("a membership added through the service is not seen at once: %+v %v", u, err)
	}
	u.Groups[0] = "changed by a caller" // a caller's copy: the cache keeps its own
	if u, _ := id.CheckToken(ctx, secret); u.Groups[0] != "billing" {
		t.Fatalf("the cached user shares its groups with a caller: %v", u.Groups)
	}
	// Removed behind the service's back: still in the group within the TTL, not after.
	if err := store.RemoveMember(ctx, "billing", "w1"); err != nil {
		t.Fatal(err)
	}
	if u, _ := id.CheckToken(ctx, secret); len(u.Groups) != 1 {
		t.Fatalf("the user was read again within the TTL: %+v", u)
	}
	clock = clock.Add(time.Minute + time.Second)
	if u, _ := id.CheckToken(ctx, secret); len(u.Groups) != 0 {
		t.Fatalf("a change made elsewhere not seen after the TTL: %+v", u)
	}
}
