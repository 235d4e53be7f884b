package engine_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"flowcraft/db"
	"flowcraft/engine"
)

func newIdentity(t *testing.T, now func() time.Time) (*engine.Identity, *db.DB) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := db.Open(context.Background(), t.TempDir(), db.Options{}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return engine.NewIdentity(store, engine.IdentityOptions{BcryptCost: bcrypt.MinCost, SessionTTL: time.Hour}, now, log), store
}

func TestBootstrap(t *testing.T) {
	ctx := context.Background()
	id, _ := newIdentity(t, nil)
	pw, err := id.Bootstrap(ctx, "")
	if err != nil || len(pw) != 20 {
		t.Fatalf("random password %q, %v", pw, err)
	}
	if _, err := id.CheckPassword(ctx, "admin", pw); err != nil {
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
	if _, err := id.CheckPassword(ctx, "lisi", "first-pass"); err != nil {
		t.Fatal(err)
	}
	newPass := "second-pass"
	if _, err := id.UpdateUser(ctx, "lisi", engine.UserInput{Password: &newPass}); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckPassword(ctx, "lisi", "first-pass"); !errors.Is(err, engine.ErrUnauthorized) {
		t.Fatalf("old password still works (cached): %v", err)
	}
	if _, err := id.CheckPassword(ctx, "lisi", newPass); err != nil {
		t.Fatal(err)
	}
	if _, err := id.CheckPassword(ctx, "ghost", newPass); !errors.Is(err, engine.ErrUnauthorized) {
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
	secret, sess, _, err := id.Login(ctx, "lisi", "first-pass")
	if err != nil {
		t.Fatal(err)
	}
	if s, u, err := id.SessionUser(ctx, secret); err != nil || u.ID != "lisi" || s.CSRF != sess.CSRF {
		t.Fatalf("session: %v", err)
	}
	if !engine.CSRFMatches(sess, sess.CSRF) || engine.CSRFMatches(sess, "") || engine.CSRFMatches(sess, "x") {
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
