// Package identity authenticates callers and manages who they are: users and groups
// (engine.User, engine.Group), passwords (bcrypt), browser sessions and their CSRF
// tokens, API tokens, the throttling of password guesses, and notifications when a
// user's rights change. It is an adapter around the domain: the engine knows users,
// roles and groups but nothing of passwords or sessions. It persists through the
// Store it declares, which the database packages implement.
package identity

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/mail"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"flowcraft/engine"
)

// APIToken is a long-lived bearer token of a user. The secret is shown once, at creation.
type APIToken struct {
	ID         string `json:"id"`
	UserID     string `json:"userId"`
	Name       string `json:"name"`
	Prefix     string `json:"prefix"` // first characters of the secret, to recognise it
	CreateAt   int64  `json:"createAt"`
	LastUsedAt int64  `json:"lastUsedAt"`
	ExpiresAt  int64  `json:"expiresAt"` // 0 = never
}

// Session is a browser sign-in. The store keeps only the hash of its secret.
type Session struct {
	Key       string `json:"-"` // the hash of its secret: names the session in Change
	UserID    string
	CSRF      string
	CreateAt  int64
	ExpiresAt int64
}

// Store persists users, groups, memberships, API tokens and sessions.
type Store interface {
	InsertUser(ctx context.Context, u *engine.User, passwordHash string) error
	GetUser(ctx context.Context, id string) (*engine.User, error)
	UserPasswordHash(ctx context.Context, id string) (string, error)
	ListUsers(ctx context.Context, q string, page engine.Page) ([]*engine.User, int, error)
	UpdateUser(ctx context.Context, u *engine.User, passwordHash string) error // "" keeps the password
	DeleteUser(ctx context.Context, id string) error
	CountUsers(ctx context.Context) (int, error)

	InsertGroup(ctx context.Context, g *engine.Group) error
	GetGroup(ctx context.Context, id string) (*engine.Group, error)
	ListGroups(ctx context.Context, page engine.Page) ([]*engine.Group, int, error)
	UpdateGroup(ctx context.Context, g *engine.Group) error
	DeleteGroup(ctx context.Context, id string) error
	AddMember(ctx context.Context, groupID, userID string) error
	RemoveMember(ctx context.Context, groupID, userID string) error
	ListMembers(ctx context.Context, groupID string) ([]*engine.User, error)

	InsertToken(ctx context.Context, t *APIToken, secretHash string) error
	TokenBySecretHash(ctx context.Context, secretHash string) (*APIToken, error)
	ListTokens(ctx context.Context, userID string) ([]*APIToken, error)
	DeleteToken(ctx context.Context, id, userID string) error // userID "" = any owner
	TouchToken(ctx context.Context, id string, at int64) error

	InsertSession(ctx context.Context, secretHash string, s *Session) error
	SessionBySecretHash(ctx context.Context, secretHash string) (*Session, error)
	DeleteSession(ctx context.Context, secretHash string) error
	DeleteExpiredSessions(ctx context.Context, now int64) error
}

// Options tune the Service.
type Options struct {
	BcryptCost int           // default bcrypt.DefaultCost; tests use bcrypt.MinCost
	SessionTTL time.Duration // default 7 days
	// CredentialTTL is how long verified Basic credentials, API tokens and the
	// accounts they sign in are cached; default 1 minute. A change through this
	// process (a password, a revoked token, a disabled or deleted user, a group
	// membership) clears the caches at once; one made by another process on the same
	// database takes effect here within this time.
	CredentialTTL time.Duration
	// Throttle slows password guessing per account and client address, locks accounts
	// out after repeated failures and bounds concurrent bcrypt work (see ThrottleOptions).
	Throttle ThrottleOptions
}

// Service authenticates callers and manages users, groups, tokens and sessions.
type Service struct {
	store Store
	opts  Options
	now   func() time.Time
	log   *slog.Logger

	// Basic auth checks a bcrypt hash on every request; a short cache of verified
	// credentials keeps integrators fast. It is cleared on every identity change.
	cache ttlCache[[32]byte, string] // user id by hash of user id and password
	// tokens caches the API tokens read by CheckToken, by secret hash: a worker sends
	// its token with every request; users the accounts those checks read.
	tokens ttlCache[string, APIToken]
	users  ttlCache[string, engine.User]

	// dummyHash is compared against when a user does not exist, so that the time
	// taken does not reveal which user names exist.
	dummyHash []byte

	throttle *LoginThrottle

	obsMu     sync.Mutex
	observers []func(Change)
}

// New returns the identity service.
func New(store Store, opts Options, now func() time.Time, log *slog.Logger) *Service {
	if opts.BcryptCost == 0 {
		opts.BcryptCost = bcrypt.DefaultCost
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 7 * 24 * time.Hour
	}
	if opts.CredentialTTL <= 0 {
		opts.CredentialTTL = time.Minute
	}
	if now == nil {
		now = time.Now
	}
	dummy, _ := bcrypt.GenerateFromPassword([]byte(engine.NewSecret()[:16]), opts.BcryptCost)
	return &Service{store: store, opts: opts, now: now, log: log.With("subsystem", "identity"),
		dummyHash: dummy,
		throttle:  NewLoginThrottle(opts.Throttle, runtime.NumCPU(), now)}
}

var userIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.@-]{1,64}$`)

// errBadCredentials is deliberately vague: it does not say whether the user exists.
var errBadCredentials = engine.Coded(engine.ErrUnauthorized, engine.CodeBadCredentials, nil, "wrong user name or password")

// Bootstrap creates the admin user when there are no users yet. An empty password
// means a random one. It returns the password it set, or "" when users existed.
func (i *Service) Bootstrap(ctx context.Context, password string) (string, error) {
	n, err := i.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	if password == "" {
		password = engine.NewSecret()[:20]
	}
	_, err = i.CreateUser(ctx, &engine.User{ID: "admin", Name: "Administrator", Role: engine.RoleAdmin}, password)
	if err != nil {
		return "", err
	}
	return password, nil
}

// CheckPassword verifies a user's password and returns the user. addr is the client's
// address, for throttling guesses across user names ("" when unknown). Failed checks
// are throttled per account and per address (*RetryError of kind ErrTooMany), and
// hashing waits for a free slot (ErrUnavailable when the server is saturated).
//
// An API token of the user is accepted as its password too (HTTP Basic with the
// token: what clients that only speak Basic, such as Camunda's external task
// clients, can send); a token of another user is a wrong password.
func (i *Service) CheckPassword(ctx context.Context, userID, password, addr string) (*engine.User, error) {
	if err := i.throttle.Allow(userID, addr); err != nil {
		return nil, err
	}
	if strings.HasPrefix(password, TokenPrefix) {
		if u, err := i.CheckToken(ctx, password); err == nil && u.ID == userID {
			i.throttle.Succeeded(userID)
			return u, nil
		}
		// Not this user's token: checked as a password (and counted when wrong).
	}
	key := sha256.Sum256([]byte(userID + "\x00" + password))
	if id, _, ok := i.cache.get(key, i.now()); ok {
		i.throttle.Succeeded(userID)
		return i.passwordUser(ctx, id)
	}
	hash, err := i.store.UserPasswordHash(ctx, userID)
	unknown := errors.Is(err, engine.ErrNotFound)
	if unknown {
		// Spend the same time as a real check, so timing does not reveal user names.
		hash, err = string(i.dummyHash), nil
	}
	if err != nil {
		return nil, err
	}
	var wrong bool
	if err := i.throttle.hash(ctx, func() {
		wrong = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil
	}); err != nil {
		return nil, err
	}
	if wrong || unknown {
		if i.throttle.Failed(userID, addr) {
			i.log.Warn("account locked after failed sign-ins", "user", userID, "addr", addr)
		}
		return nil, errBadCredentials
	}
	i.throttle.Succeeded(userID)
	u, err := i.passwordUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	i.cache.put(key, userID, i.now().Add(i.opts.CredentialTTL))
	return u, nil
}

// passwordUser is activeUser after a right password: a disabled account answers as a
// wrong password does, since "disabled" would tell a guesser the password is right.
func (i *Service) passwordUser(ctx context.Context, id string) (*engine.User, error) {
	u, err := i.activeUser(ctx, id)
	if errors.Is(err, engine.ErrUnauthorized) {
		return nil, errBadCredentials
	}
	return u, err
}

func (i *Service) activeUser(ctx context.Context, id string) (*engine.User, error) {
	at := i.now()
	var u *engine.User
	if cached, _, ok := i.users.get(id, at); ok {
		cached.Groups = slices.Clone(cached.Groups) // the caller's copy
		u = &cached
	} else {
		read, err := i.store.GetUser(ctx, id)
		if errors.Is(err, engine.ErrNotFound) {
			return nil, errBadCredentials
		}
		if err != nil {
			return nil, err
		}
		u = read
		kept := *u
		kept.Groups = slices.Clone(u.Groups)
		i.users.put(id, kept, at.Add(i.opts.CredentialTTL))
	}
	if u.Disabled {
		return nil, engine.Coded(engine.ErrUnauthorized, engine.CodeBadCredentials, nil, "user %s is disabled", id)
	}
	return u, nil
}

func (i *Service) forgetCredentials() {
	i.cache.clear()
	i.tokens.clear()
	i.users.clear()
}

// TokenPrefix starts every API token, so leaked tokens are easy to find by scanners.
const TokenPrefix = "fc_"

// CheckToken resolves a bearer API token to its user.
func (i *Service) CheckToken(ctx context.Context, secret string) (*engine.User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, engine.Coded(engine.ErrUnauthorized, engine.CodeBadToken, nil, "invalid API token")
	}
	key, at := hashSecret(secret), i.now()
	cached, expires, ok := i.tokens.get(key, at)
	t := &cached
	if !ok {
		read, err := i.store.TokenBySecretHash(ctx, key)
		if errors.Is(err, engine.ErrNotFound) {
			return nil, engine.Coded(engine.ErrUnauthorized, engine.CodeBadToken, nil, "invalid API token")
		}
		if err != nil {
			return nil, err
		}
		t = read
	}
	now := at.UnixMilli()
	if t.ExpiresAt != 0 && t.ExpiresAt <= now {
		return nil, engine.Coded(engine.ErrUnauthorized, engine.CodeTokenExpired, nil, "API token %s has expired", t.Prefix)
	}
	// Record use at most once a minute per token, to keep writes off the hot path.
	touched := now-t.LastUsedAt > time.Minute.Milliseconds()
	if touched {
		if err := i.store.TouchToken(ctx, t.ID, now); err != nil {
			i.log.Warn("recording token use", "token", t.ID, "err", err)
		}
		t.LastUsedAt = now
	}
	switch {
	case !ok:
		i.tokens.put(key, *t, at.Add(i.opts.CredentialTTL))
	case touched:
		i.tokens.replace(key, *t, expires) // unless a change cleared it meanwhile
	}
	return i.activeUser(ctx, t.UserID)
}

// Login checks a password (see CheckPassword; addr is the client's address) and opens
// a session. It returns the session secret (for the cookie) and the session's CSRF token.
func (i *Service) Login(ctx context.Context, userID, password, addr string) (secret string, s *Session, u *engine.User, err error) {
	u, err = i.CheckPassword(ctx, userID, password, addr)
	if err != nil {
		return "", nil, nil, err
	}
	if u.Role == engine.RoleWorker {
		// A worker has no UI: a session would admit it to nothing (Admit).
		return "", nil, nil, engine.Coded(engine.ErrForbidden, engine.CodeWorkerOnly, nil,
			"user %s is a worker account: it has no UI and may use only the external worker APIs, with its password or an API token", u.ID)
	}
	now := i.now()
	secret = engine.NewSecret()
	s = &Session{Key: hashSecret(secret), UserID: u.ID, CSRF: engine.NewSecret(), CreateAt: now.UnixMilli(), ExpiresAt: now.Add(i.opts.SessionTTL).UnixMilli()}
	if err := i.store.InsertSession(ctx, s.Key, s); err != nil {
		return "", nil, nil, err
	}
	if err := i.store.DeleteExpiredSessions(ctx, now.UnixMilli()); err != nil {
		i.log.Warn("deleting expired sessions", "err", err)
	}
	i.log.Info("signed in", "user", u.ID)
	return secret, s, u, nil
}

// SessionUser resolves a session cookie to its session and user.
func (i *Service) SessionUser(ctx context.Context, secret string) (*Session, *engine.User, error) {
	if secret == "" {
		return nil, nil, engine.Coded(engine.ErrUnauthorized, engine.CodeAuthRequired, nil, "not signed in")
	}
	s, err := i.store.SessionBySecretHash(ctx, hashSecret(secret))
	if errors.Is(err, engine.ErrNotFound) {
		return nil, nil, engine.Coded(engine.ErrUnauthorized, engine.CodeSessionExpired, nil, "session expired; sign in again")
	}
	if err != nil {
		return nil, nil, err
	}
	if s.ExpiresAt <= i.now().UnixMilli() {
		return nil, nil, engine.Coded(engine.ErrUnauthorized, engine.CodeSessionExpired, nil, "session expired; sign in again")
	}
	s.Key = hashSecret(secret)
	u, err := i.activeUser(ctx, s.UserID)
	if err != nil {
		return nil, nil, err
	}
	return s, u, nil
}

// Logout ends a session; its websockets are closed (see OnChange).
func (i *Service) Logout(ctx context.Context, secret string) error {
	if secret == "" {
		return nil
	}
	key := hashSecret(secret)
	userID := ""
	if s, err := i.store.SessionBySecretHash(ctx, key); err == nil {
		userID = s.UserID
	}
	if err := i.store.DeleteSession(ctx, key); err != nil {
		return err
	}
	i.notify(Change{UserID: userID, Session: key, Reason: "signed out"})
	return nil
}

// Change tells observers that a user's rights changed or a session ended, so
// that long-lived connections (websockets) opened with the old rights are closed.
type Change struct {
	UserID string
	// Session is the key (Session.Key) of the one session that ended; "" means every
	// connection of UserID, whatever its credentials.
	Session string
	// Credentials, with Session empty, limits the change to the user's connections that
	// were opened with an API token or a password (not with a browser session).
	Credentials bool
	Reason      string // for the client, e.g. "account disabled"
}

// OnChange registers f to be called after a user is disabled, deleted, or has their
// role, groups or password changed, and after a session ends. f is called on the
// caller's goroutine after the change is stored, and must not block.
func (i *Service) OnChange(f func(Change)) {
	i.obsMu.Lock()
	i.observers = append(i.observers, f)
	i.obsMu.Unlock()
}

// notify tells the observers of a change of a user's account, groups or credentials
// (the caches of verified credentials, tokens and users are cleared first).
func (i *Service) notify(ch Change) {
	i.forgetCredentials()
	i.obsMu.Lock()
	obs := slices.Clone(i.observers)
	i.obsMu.Unlock()
	for _, f := range obs {
		f(ch)
	}
}

// Unlock lifts the lockout of an account after failed sign-ins (setting a new
// password does too).
func (i *Service) Unlock(ctx context.Context, id, by string) error {
	if _, err := i.store.GetUser(ctx, id); err != nil {
		return err
	}
	i.throttle.Unlock(id)
	i.log.Info("account unlocked", "user", id, "by", by)
	return nil
}

// withLock sets u.LockedUntil when failed sign-ins lock the account.
func (i *Service) withLock(u *engine.User) *engine.User {
	if until, ok := i.throttle.Locked(u.ID); ok {
		u.LockedUntil = until.UnixMilli()
	}
	return u
}

// hashPassword computes a bcrypt hash within the throttle's bound on hashing.
func (i *Service) hashPassword(ctx context.Context, password string) (string, error) {
	var h []byte
	var err error
	if werr := i.throttle.hash(ctx, func() { h, err = bcrypt.GenerateFromPassword([]byte(password), i.opts.BcryptCost) }); werr != nil {
		return "", werr
	}
	return string(h), err
}

// CSRFMatches compares a submitted CSRF token with the session's in constant time.
func CSRFMatches(s *Session, submitted string) bool {
	return s != nil && submitted != "" && subtle.ConstantTimeCompare([]byte(s.CSRF), []byte(submitted)) == 1
}

// UserInput is what a client sends to create or change a user.
type UserInput struct {
	ID       string    `json:"id"`
	Name     *string   `json:"name"`
	Email    *string   `json:"email"`
	Role     *string   `json:"role"`
	Password *string   `json:"password"`
	Groups   *[]string `json:"groups"`
	Disabled *bool     `json:"disabled"`
}

// Apply sets the fields of u that in sets: name, email, role, groups and disabled.
// The id and the password are not fields of u; the caller handles them.
func (in UserInput) Apply(u *engine.User) {
	if in.Name != nil {
		u.Name = *in.Name
	}
	if in.Email != nil {
		u.Email = *in.Email
	}
	if in.Role != nil {
		u.Role = *in.Role
	}
	if in.Groups != nil {
		u.Groups = *in.Groups
	}
	if in.Disabled != nil {
		u.Disabled = *in.Disabled
	}
}

// CreateUser adds a user with a password.
func (i *Service) CreateUser(ctx context.Context, u *engine.User, password string) (*engine.User, error) {
	var ps problems
	if !userIDPattern.MatchString(u.ID) {
		ps.add("id", engine.CodeBadID, nil, "id must be 1-64 characters of letters, digits, '_', '.', '@' or '-'")
	}
	if u.Role == "" {
		u.Role = engine.RoleUser
	}
	checkUserFields(u, &ps)
	if len(password) < 8 {
		ps.add("password", engine.CodeTooShort, engine.Params{"min": 8}, "password must have at least 8 characters")
	} else if len(password) > 72 {
		ps.add("password", engine.CodeTooLong, engine.Params{"max": 72}, "password must have at most 72 bytes")
	}
	if len(ps) > 0 {
		return nil, &engine.ValidationError{Problems: ps}
	}
	hash, err := i.hashPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	now := i.now().UnixMilli()
	u.CreateAt, u.UpdateAt = now, now
	if u.Groups == nil {
		u.Groups = []string{}
	}
	if err := i.store.InsertUser(ctx, u, hash); err != nil {
		return nil, err
	}
	i.log.Info("user created", "user", u.ID, "role", u.Role)
	return u, nil
}

// UpdateUser changes the fields of in that are set. A change that would leave no
// active admin is refused (engine.ErrConflict). A new password also lifts a lockout.
func (i *Service) UpdateUser(ctx context.Context, id string, in UserInput) (*engine.User, error) {
	u, err := i.store.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	old := *u
	old.Groups = slices.Clone(u.Groups)
	in.Apply(u)
	var ps problems
	checkUserFields(u, &ps)
	hash := ""
	if in.Password != nil {
		if len(*in.Password) < 8 || len(*in.Password) > 72 {
			ps.add("password", engine.CodeOutOfRange, engine.Params{"min": 8, "max": 72}, "password must have 8 to 72 bytes")
		} else if hash, err = i.hashPassword(ctx, *in.Password); err != nil {
			return nil, err
		}
	}
	if len(ps) > 0 {
		return nil, &engine.ValidationError{Problems: ps}
	}
	u.UpdateAt = i.now().UnixMilli()
	if err := i.store.UpdateUser(ctx, u, hash); err != nil {
		return nil, err
	}
	i.forgetCredentials()
	if hash != "" {
		i.throttle.Unlock(id)
	}
	var why []string
	if u.Disabled && !old.Disabled {
		why = append(why, "account disabled")
	}
	if u.Role != old.Role {
		why = append(why, "role changed")
	}
	if hash != "" {
		why = append(why, "password changed")
	}
	slices.Sort(u.Groups)
	if !slices.Equal(slices.Compact(slices.Clone(u.Groups)), old.Groups) {
		why = append(why, "groups changed")
	}
	if len(why) > 0 {
		i.notify(Change{UserID: id, Reason: strings.Join(why, ", ")})
	}
	return i.withLock(u), nil
}

func checkUserFields(u *engine.User, ps *problems) {
	if len([]rune(u.Name)) > engine.MaxNameLen {
		ps.add("name", engine.CodeTooLong, engine.Params{"max": engine.MaxNameLen}, "name is longer than %d characters", engine.MaxNameLen)
	}
	if u.Email != "" {
		if _, err := mail.ParseAddress(u.Email); err != nil {
			ps.add("email", engine.CodeInvalidValue, nil, "email %q is not an e-mail address", u.Email)
		}
	}
	switch u.Role {
	case engine.RoleAdmin, engine.RoleDesigner, engine.RoleUser, engine.RoleWorker:
	default:
		ps.add("role", engine.CodeOneOf, engine.Params{"allowed": "admin, designer, user, worker"}, "role must be admin, designer, user or worker, not %q", u.Role)
	}
	for _, g := range u.Groups {
		if !userIDPattern.MatchString(g) {
			ps.add("groups", engine.CodeBadID, nil, "group id %q is not valid", g)
		}
	}
}

// GetUser returns one user.
func (i *Service) GetUser(ctx context.Context, id string) (*engine.User, error) {
	u, err := i.store.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	return i.withLock(u), nil
}

// ListUsers returns a page of users whose id, name or email contains q.
func (i *Service) ListUsers(ctx context.Context, q string, page engine.Page) ([]*engine.User, int, error) {
	us, total, err := i.store.ListUsers(ctx, q, page)
	for _, u := range us {
		i.withLock(u)
	}
	return us, total, err
}

// DeleteUser removes a user, their memberships, tokens and sessions. Nobody deletes themselves.
func (i *Service) DeleteUser(ctx context.Context, id, by string) error {
	if id == by {
		return engine.Coded(engine.ErrConflict, engine.CodeOwnAccount, nil, "you cannot delete your own account")
	}
	if err := i.store.DeleteUser(ctx, id); err != nil {
		return err
	}
	i.forgetCredentials()
	i.throttle.Unlock(id)
	i.log.Info("user deleted", "user", id, "by", by)
	i.notify(Change{UserID: id, Reason: "account deleted"})
	return nil
}

// CreateGroup adds a group.
func (i *Service) CreateGroup(ctx context.Context, g *engine.Group) (*engine.Group, error) {
	var ps problems
	if !userIDPattern.MatchString(g.ID) {
		ps.add("id", engine.CodeBadID, nil, "id must be 1-64 characters of letters, digits, '_', '.', '@' or '-'")
	}
	if g.Name == "" {
		g.Name = g.ID
	}
	if len([]rune(g.Name)) > engine.MaxNameLen {
		ps.add("name", engine.CodeTooLong, engine.Params{"max": engine.MaxNameLen}, "name is longer than %d characters", engine.MaxNameLen)
	}
	if len(ps) > 0 {
		return nil, &engine.ValidationError{Problems: ps}
	}
	g.CreateAt = i.now().UnixMilli()
	if err := i.store.InsertGroup(ctx, g); err != nil {
		return nil, err
	}
	return g, nil
}

// GetGroup returns one group.
func (i *Service) GetGroup(ctx context.Context, id string) (*engine.Group, error) {
	return i.store.GetGroup(ctx, id)
}

// ListGroups returns a page of groups.
func (i *Service) ListGroups(ctx context.Context, page engine.Page) ([]*engine.Group, int, error) {
	return i.store.ListGroups(ctx, page)
}

// RenameGroup changes a group's display name.
func (i *Service) RenameGroup(ctx context.Context, id, name string) (*engine.Group, error) {
	g, err := i.store.GetGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(name) == "" || len([]rune(name)) > engine.MaxNameLen {
		return nil, engine.InvalidField("name", engine.CodeOutOfRange, engine.Params{"min": 1, "max": engine.MaxNameLen}, "name must have 1 to %d characters", engine.MaxNameLen)
	}
	g.Name = name
	if err := i.store.UpdateGroup(ctx, g); err != nil {
		return nil, err
	}
	return g, nil
}

// DeleteGroup removes a group and its memberships.
func (i *Service) DeleteGroup(ctx context.Context, id string) error {
	members, err := i.store.ListMembers(ctx, id)
	if err != nil {
		return err
	}
	if err := i.store.DeleteGroup(ctx, id); err != nil {
		return err
	}
	for _, m := range members {
		i.notify(Change{UserID: m.ID, Reason: "groups changed"})
	}
	return nil
}

// AddMember puts a user into a group.
func (i *Service) AddMember(ctx context.Context, groupID, userID string) error {
	if _, err := i.store.GetGroup(ctx, groupID); err != nil {
		return err
	}
	if _, err := i.store.GetUser(ctx, userID); errors.Is(err, engine.ErrNotFound) {
		return engine.InvalidField("userId", engine.CodeUnknownUser, engine.Params{"user": userID}, "unknown user %q", userID)
	} else if err != nil {
		return err
	}
	if err := i.store.AddMember(ctx, groupID, userID); err != nil {
		return err
	}
	i.notify(Change{UserID: userID, Reason: "groups changed"})
	return nil
}

// RemoveMember takes a user out of a group.
func (i *Service) RemoveMember(ctx context.Context, groupID, userID string) error {
	if err := i.store.RemoveMember(ctx, groupID, userID); err != nil {
		return err
	}
	i.notify(Change{UserID: userID, Reason: "groups changed"})
	return nil
}

// ListMembers returns the users of a group.
func (i *Service) ListMembers(ctx context.Context, groupID string) ([]*engine.User, error) {
	if _, err := i.store.GetGroup(ctx, groupID); err != nil {
		return nil, err
	}
	return i.store.ListMembers(ctx, groupID)
}

// MaxTokenTTL is the longest lifetime of an API token (10 years); 0 means it never expires.
const MaxTokenTTL = 10 * 365 * 24 * time.Hour

// CreateToken issues an API token for a user, valid for ttl (0: never expires; at most
// MaxTokenTTL). The returned secret is never stored.
func (i *Service) CreateToken(ctx context.Context, userID, name string, ttl time.Duration) (string, *APIToken, error) {
	if strings.TrimSpace(name) == "" || len([]rune(name)) > engine.MaxNameLen {
		return "", nil, engine.InvalidField("name", engine.CodeOutOfRange, engine.Params{"min": 1, "max": engine.MaxNameLen}, "a token needs a name of 1 to %d characters", engine.MaxNameLen)
	}
	if ttl < 0 || ttl > MaxTokenTTL {
		return "", nil, engine.InvalidField("expiresIn", engine.CodeOutOfRange, engine.Params{"min": 0, "max": int64(MaxTokenTTL / time.Second)},
			"expiresIn must be 0 (never expires) or 1 to %d seconds (10 years)", int64(MaxTokenTTL/time.Second))
	}
	secret := TokenPrefix + engine.NewSecret()
	now := i.now()
	t := &APIToken{ID: engine.RandomID(12), UserID: userID, Name: name, Prefix: secret[:len(TokenPrefix)+6], CreateAt: now.UnixMilli()}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl).UnixMilli()
	}
	if err := i.store.InsertToken(ctx, t, hashSecret(secret)); err != nil {
		return "", nil, err
	}
	i.log.Info("API token created", "user", userID, "token", t.ID)
	return secret, t, nil
}

// ListTokens returns a user's tokens (without secrets).
func (i *Service) ListTokens(ctx context.Context, userID string) ([]*APIToken, error) {
	return i.store.ListTokens(ctx, userID)
}

// DeleteToken revokes an API token of owner (owner "" lets an admin revoke anyone's);
// the owner's websockets opened with a token or a password are closed (they may
// reconnect with what still works).
func (i *Service) DeleteToken(ctx context.Context, id, owner string) error {
	if err := i.store.DeleteToken(ctx, id, owner); err != nil {
		return err
	}
	i.forgetCredentials()
	i.notify(Change{UserID: owner, Credentials: true, Reason: "API token revoked"})
	return nil
}

// problems collects the problems of one request body.
type problems []engine.FieldError

func (ps *problems) add(field string, code engine.Code, params engine.Params, format string, args ...any) {
	*ps = append(*ps, engine.Problem("", field, code, params, format, args...))
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
