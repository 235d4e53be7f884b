package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"flowcraft/engine"
	"flowcraft/identity"
)

const userColumns = `id, name, email, role, disabled, create_at, update_at`

func scanUser(r rowScanner) (*engine.User, error) {
	var u engine.User
	if err := r.Scan(&u.ID, &u.Name, &u.Email, &u.Role, &u.Disabled, &u.CreateAt, &u.UpdateAt); err != nil {
		return nil, err
	}
	u.Groups = []string{}
	return &u, nil
}

// InsertUser implements identity.Store. Groups named in u.Groups must exist.
func (d *Store) InsertUser(ctx context.Context, u *engine.User, passwordHash string) error {
	return opErr(d.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, name, email, role, password_hash, disabled, create_at, update_at)
			VALUES (?,?,?,?,?,?,?,?)`, u.ID, u.Name, u.Email, u.Role, passwordHash, u.Disabled, u.CreateAt, u.UpdateAt)
		if isUniqueViolation(err) {
			return engine.Errorf(engine.ErrConflict, "user %s already exists", u.ID)
		}
		if err != nil {
			return err
		}
		if err := setMemberships(ctx, tx, u.ID, u.Groups); err != nil {
			return err
		}
		return audit(ctx, tx, "", "create", "user", u.ID, map[string]any{"role": u.Role})
	}), "insert user %s", u.ID)
}

func setMemberships(ctx context.Context, tx *sql.Tx, userID string, groups []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM membership WHERE user_id = ?`, userID); err != nil {
		return opErr(err, "clear memberships")
	}
	for _, g := range groups {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM groups WHERE id = ?`, g).Scan(&n); err != nil {
			return opErr(err, "find group %s", g)
		}
		if n == 0 {
			return engine.Invalid("groups", "unknown group %q", g)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO membership (group_id, user_id) VALUES (?, ?)`, g, userID); err != nil {
			return opErr(err, "add to group %s", g)
		}
	}
	return nil
}

// GetUser implements identity.Store.
func (d *Store) GetUser(ctx context.Context, id string) (*engine.User, error) {
	u, err := scanUser(d.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = engine.Errorf(engine.ErrNotFound, "user %s not found", id)
	}
	if err != nil {
		return nil, opErr(err, "get user %s", id)
	}
	groups, err := queryAll(ctx, d.read, "get user "+id, `SELECT group_id FROM membership WHERE user_id = ? ORDER BY group_id`,
		[]any{id}, func(r *sql.Rows) (string, error) {
			var g string
			err := r.Scan(&g)
			return g, err
		})
	if err != nil {
		return nil, err
	}
	u.Groups = append(u.Groups, groups...)
	return u, nil
}

// UserPasswordHash implements identity.Store.
func (d *Store) UserPasswordHash(ctx context.Context, id string) (string, error) {
	var h string
	err := d.read.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, id).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		err = engine.Errorf(engine.ErrNotFound, "user %s not found", id)
	}
	if err != nil {
		return "", opErr(err, "read the password of user %s", id)
	}
	return h, nil
}

var userSorts = sorting{
	fields:    map[string]string{"id": "id", "name": "name", "email": "email", "role": "role", "createAt": "create_at"},
	byDefault: "id",
}

// ListUsers implements identity.Store.
func (d *Store) ListUsers(ctx context.Context, q string, page engine.Page) ([]*engine.User, int, error) {
	lq := listQuery{op: "list users", order: userSorts, from: `users`,
		columns: userColumns + `,
		COALESCE((SELECT group_concat(group_id, char(31)) FROM (SELECT group_id FROM membership m WHERE m.user_id = users.id ORDER BY group_id)), '')`}
	if q != "" {
		lq.from = `users WHERE id LIKE ?1 ESCAPE '\' OR name LIKE ?1 ESCAPE '\' OR email LIKE ?1 ESCAPE '\'`
		lq.args = []any{likePattern(q)}
	}
	return listPage(ctx, d.read, lq, page, func(r *sql.Rows) (*engine.User, error) {
		var u engine.User
		var groups string
		if err := r.Scan(&u.ID, &u.Name, &u.Email, &u.Role, &u.Disabled, &u.CreateAt, &u.UpdateAt, &groups); err != nil {
			return nil, err
		}
		u.Groups = []string{}
		if groups != "" {
			u.Groups = strings.Split(groups, "\x1f")
		}
		return &u, nil
	})
}

// errLastAdmin refuses a change that would leave nobody able to administer.
var errLastAdmin = engine.Errorf(engine.ErrConflict,
	"this change would leave no active admin: make another user an admin first")

// keepsAnAdmin fails with errLastAdmin when no enabled admin is left. It runs inside
// the write transaction that made the change (BEGIN IMMEDIATE: writers are serialized),
// so two admins demoting each other at once cannot both succeed.
func keepsAnAdmin(ctx context.Context, tx *sql.Tx) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = ? AND NOT disabled`, engine.RoleAdmin).Scan(&n); err != nil {
		return opErr(err, "count admins")
	}
	if n == 0 {
		return errLastAdmin
	}
	return nil
}

// wasActiveAdmin reports whether user id is an enabled admin (inside tx).
func wasActiveAdmin(ctx context.Context, tx *sql.Tx, id string) (bool, error) {
	var role string
	var disabled bool
	err := tx.QueryRowContext(ctx, `SELECT role, disabled FROM users WHERE id = ?`, id).Scan(&role, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, opErr(err, "read the role of user %s", id)
	}
	return role == engine.RoleAdmin && !disabled, nil
}

// UpdateUser implements identity.Store. A change that leaves no enabled admin
// is refused with ErrConflict.
func (d *Store) UpdateUser(ctx context.Context, u *engine.User, passwordHash string) error {
	return opErr(d.tx(ctx, func(tx *sql.Tx) error {
		wasAdmin, err := wasActiveAdmin(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET name=?, email=?, role=?, disabled=?, update_at=?,
			password_hash = CASE WHEN ? = '' THEN password_hash ELSE ? END, rev = rev + 1 WHERE id = ?`,
			u.Name, u.Email, u.Role, u.Disabled, u.UpdateAt, passwordHash, passwordHash, u.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return engine.Errorf(engine.ErrNotFound, "user %s not found", u.ID)
		}
		if wasAdmin && (u.Role != engine.RoleAdmin || u.Disabled) {
			if err := keepsAnAdmin(ctx, tx); err != nil {
				return err
			}
		}
		if err := setMemberships(ctx, tx, u.ID, u.Groups); err != nil {
			return err
		}
		if passwordHash != "" || u.Disabled {
			// A new password or a disabled account signs the user out everywhere.
			if _, err := tx.ExecContext(ctx, `DELETE FROM session WHERE user_id = ?`, u.ID); err != nil {
				return err
			}
		}
		return audit(ctx, tx, "", "update", "user", u.ID, map[string]any{"role": u.Role, "passwordChanged": passwordHash != ""})
	}), "update user %s", u.ID)
}

// DeleteUser implements identity.Store. Deleting the last enabled admin is
// refused with ErrConflict.
func (d *Store) DeleteUser(ctx context.Context, id string) error {
	return opErr(d.tx(ctx, func(tx *sql.Tx) error {
		wasAdmin, err := wasActiveAdmin(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return engine.Errorf(engine.ErrNotFound, "user %s not found", id)
		}
		if wasAdmin {
			if err := keepsAnAdmin(ctx, tx); err != nil {
				return err
			}
		}
		return audit(ctx, tx, "", "delete", "user", id, nil)
	}), "delete user %s", id)
}

// CountUsers implements identity.Store.
func (d *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, opErr(err, "count users")
}

// InsertGroup implements identity.Store.
func (d *Store) InsertGroup(ctx context.Context, g *engine.Group) error {
	_, err := d.write.ExecContext(ctx, `INSERT INTO groups (id, name, create_at) VALUES (?, ?, ?)`, g.ID, g.Name, g.CreateAt)
	if isUniqueViolation(err) {
		err = engine.Errorf(engine.ErrConflict, "group %s already exists", g.ID)
	}
	return opErr(err, "insert group %s", g.ID)
}

// GetGroup implements identity.Store.
func (d *Store) GetGroup(ctx context.Context, id string) (*engine.Group, error) {
	var g engine.Group
	err := d.read.QueryRowContext(ctx, `SELECT id, name, create_at FROM groups WHERE id = ?`, id).Scan(&g.ID, &g.Name, &g.CreateAt)
	if errors.Is(err, sql.ErrNoRows) {
		err = engine.Errorf(engine.ErrNotFound, "group %s not found", id)
	}
	if err != nil {
		return nil, opErr(err, "get group %s", id)
	}
	return &g, nil
}

var groupSorts = sorting{fields: map[string]string{"id": "id", "name": "name", "createAt": "create_at"}, byDefault: "id"}

// ListGroups implements identity.Store.
func (d *Store) ListGroups(ctx context.Context, page engine.Page) ([]*engine.Group, int, error) {
	return listPage(ctx, d.read, listQuery{op: "list groups", columns: `id, name, create_at`, from: `groups`, order: groupSorts}, page,
		func(r *sql.Rows) (*engine.Group, error) {
			var g engine.Group
			err := r.Scan(&g.ID, &g.Name, &g.CreateAt)
			return &g, err
		})
}

// UpdateGroup implements identity.Store.
func (d *Store) UpdateGroup(ctx context.Context, g *engine.Group) error {
	res, err := d.write.ExecContext(ctx, `UPDATE groups SET name = ? WHERE id = ?`, g.Name, g.ID)
	if err == nil {
		err = mustAffect(res, engine.Errorf(engine.ErrNotFound, "group %s not found", g.ID))
	}
	return opErr(err, "update group %s", g.ID)
}

// DeleteGroup implements identity.Store.
func (d *Store) DeleteGroup(ctx context.Context, id string) error {
	res, err := d.write.ExecContext(ctx, `DELETE FROM groups WHERE id = ?`, id)
	if err == nil {
		err = mustAffect(res, engine.Errorf(engine.ErrNotFound, "group %s not found", id))
	}
	return opErr(err, "delete group %s", id)
}

// AddMember implements identity.Store.
func (d *Store) AddMember(ctx context.Context, groupID, userID string) error {
	_, err := d.write.ExecContext(ctx, `INSERT OR IGNORE INTO membership (group_id, user_id) VALUES (?, ?)`, groupID, userID)
	return opErr(err, "add user %s to group %s", userID, groupID)
}

// RemoveMember implements identity.Store.
func (d *Store) RemoveMember(ctx context.Context, groupID, userID string) error {
	res, err := d.write.ExecContext(ctx, `DELETE FROM membership WHERE group_id = ? AND user_id = ?`, groupID, userID)
	if err == nil {
		err = mustAffect(res, engine.Errorf(engine.ErrNotFound, "user %s is not a member of group %s", userID, groupID))
	}
	return opErr(err, "remove user %s from group %s", userID, groupID)
}

// ListMembers implements identity.Store.
func (d *Store) ListMembers(ctx context.Context, groupID string) ([]*engine.User, error) {
	list, err := queryAll(ctx, d.read, "list members of group "+groupID, `SELECT `+prefixed("u.", userColumns)+` FROM users u
		JOIN membership m ON m.user_id = u.id WHERE m.group_id = ? ORDER BY u.id`, []any{groupID},
		func(r *sql.Rows) (*engine.User, error) { return scanUser(r) })
	if list == nil && err == nil {
		list = []*engine.User{}
	}
	return list, err
}

// InsertToken implements identity.Store.
func (d *Store) InsertToken(ctx context.Context, t *identity.APIToken, secretHash string) error {
	_, err := d.write.ExecContext(ctx, `INSERT INTO api_token (id, user_id, name, prefix, secret_hash, create_at, expires_at)
		VALUES (?,?,?,?,?,?,?)`, t.ID, t.UserID, t.Name, t.Prefix, secretHash, t.CreateAt, t.ExpiresAt)
	return opErr(err, "insert API token %s of user %s", t.ID, t.UserID)
}

const tokenColumns = `id, user_id, name, prefix, create_at, last_used_at, expires_at`

func scanToken(r rowScanner) (*identity.APIToken, error) {
	var t identity.APIToken
	err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.CreateAt, &t.LastUsedAt, &t.ExpiresAt)
	return &t, err
}

// TokenBySecretHash implements identity.Store.
func (d *Store) TokenBySecretHash(ctx context.Context, secretHash string) (*identity.APIToken, error) {
	t, err := scanToken(d.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_token WHERE secret_hash = ?`, secretHash))
	if errors.Is(err, sql.ErrNoRows) {
		err = engine.Errorf(engine.ErrNotFound, "no API token has this secret")
	}
	if err != nil {
		return nil, opErr(err, "find API token")
	}
	return t, nil
}

// ListTokens implements identity.Store.
func (d *Store) ListTokens(ctx context.Context, userID string) ([]*identity.APIToken, error) {
	list, err := queryAll(ctx, d.read, "list API tokens of user "+userID,
		`SELECT `+tokenColumns+` FROM api_token WHERE user_id = ? ORDER BY create_at DESC`, []any{userID},
		func(r *sql.Rows) (*identity.APIToken, error) { return scanToken(r) })
	if list == nil && err == nil {
		list = []*identity.APIToken{}
	}
	return list, err
}

// DeleteToken implements identity.Store.
func (d *Store) DeleteToken(ctx context.Context, id, userID string) error {
	res, err := d.write.ExecContext(ctx, `DELETE FROM api_token WHERE id = ? AND (? = '' OR user_id = ?)`, id, userID, userID)
	if err == nil {
		err = mustAffect(res, engine.Errorf(engine.ErrNotFound, "token %s not found", id))
	}
	return opErr(err, "delete API token %s", id)
}

// TouchToken implements identity.Store.
func (d *Store) TouchToken(ctx context.Context, id string, at int64) error {
	_, err := d.write.ExecContext(ctx, `UPDATE api_token SET last_used_at = ? WHERE id = ?`, at, id)
	return opErr(err, "record the use of API token %s", id)
}

// InsertSession implements identity.Store.
func (d *Store) InsertSession(ctx context.Context, secretHash string, s *identity.Session) error {
	_, err := d.write.ExecContext(ctx, `INSERT INTO session (secret_hash, user_id, csrf, create_at, expires_at) VALUES (?,?,?,?,?)`,
		secretHash, s.UserID, s.CSRF, s.CreateAt, s.ExpiresAt)
	return opErr(err, "insert session of user %s", s.UserID)
}

// SessionBySecretHash implements identity.Store.
func (d *Store) SessionBySecretHash(ctx context.Context, secretHash string) (*identity.Session, error) {
	var s identity.Session
	err := d.read.QueryRowContext(ctx, `SELECT user_id, csrf, create_at, expires_at FROM session WHERE secret_hash = ?`, secretHash).
		Scan(&s.UserID, &s.CSRF, &s.CreateAt, &s.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		err = engine.Errorf(engine.ErrNotFound, "no session has this secret")
	}
	if err != nil {
		return nil, opErr(err, "find session")
	}
	return &s, nil
}

// DeleteSession implements identity.Store.
func (d *Store) DeleteSession(ctx context.Context, secretHash string) error {
	_, err := d.write.ExecContext(ctx, `DELETE FROM session WHERE secret_hash = ?`, secretHash)
	return opErr(err, "delete session")
}

// DeleteExpiredSessions implements identity.Store.
func (d *Store) DeleteExpiredSessions(ctx context.Context, now int64) error {
	_, err := d.write.ExecContext(ctx, `DELETE FROM session WHERE expires_at <= ?`, now)
	return opErr(err, "delete expired sessions")
}

// mustAffect is notFound when a statement changed no row.
func mustAffect(res sql.Result, notFound error) error {
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return notFound
	}
	return nil
}
