package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
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
	return d.tx(ctx, func(tx *sql.Tx) error {
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
	})
}

func setMemberships(ctx context.Context, tx *sql.Tx, userID string, groups []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM membership WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, g := range groups {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM groups WHERE id = ?`, g).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return engine.Invalid("groups", "unknown group %q", g)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO membership (group_id, user_id) VALUES (?, ?)`, g, userID); err != nil {
			return err
		}
	}
	return nil
}

// GetUser implements identity.Store.
func (d *Store) GetUser(ctx context.Context, id string) (*engine.User, error) {
	u, err := scanUser(d.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.Errorf(engine.ErrNotFound, "user %s not found", id)
	}
	if err != nil {
		return nil, err
	}
	rows, err := d.read.QueryContext(ctx, `SELECT group_id FROM membership WHERE user_id = ? ORDER BY group_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return nil, err
		}
		u.Groups = append(u.Groups, g)
	}
	return u, rows.Err()
}

// UserPasswordHash implements identity.Store.
func (d *Store) UserPasswordHash(ctx context.Context, id string) (string, error) {
	var h string
	err := d.read.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, id).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", engine.ErrNotFound
	}
	return h, err
}

var userSorts = map[string]string{"id": "id", "name": "name", "email": "email", "role": "role", "createAt": "create_at"}

// ListUsers implements identity.Store.
func (d *Store) ListUsers(ctx context.Context, q string, page engine.Page) ([]*engine.User, int, error) {
	cond, args := "", []any{}
	if q != "" {
		cond = ` WHERE id LIKE ?1 ESCAPE '\' OR name LIKE ?1 ESCAPE '\' OR email LIKE ?1 ESCAPE '\'`
		args = append(args, likePattern(q))
	}
	order, err := orderBy(page, userSorts, "id")
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	n := len(args)
	rows, err := d.read.QueryContext(ctx, `SELECT `+userColumns+`,
		COALESCE((SELECT group_concat(group_id, char(31)) FROM (SELECT group_id FROM membership m WHERE m.user_id = users.id ORDER BY group_id)), '')
		FROM users`+cond+order+` LIMIT ?`+strconv.Itoa(n+1)+` OFFSET ?`+strconv.Itoa(n+2), append(args, page.Limit, page.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*engine.User{}
	for rows.Next() {
		var u engine.User
		var groups string
		if err := rows.Scan(&u.ID, &u.Name, &u.Email, &u.Role, &u.Disabled, &u.CreateAt, &u.UpdateAt, &groups); err != nil {
			return nil, 0, err
		}
		u.Groups = []string{}
		if groups != "" {
			u.Groups = strings.Split(groups, "\x1f")
		}
		list = append(list, &u)
	}
	return list, total, rows.Err()
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
		return err
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
	return role == engine.RoleAdmin && !disabled, err
}

// UpdateUser implements identity.Store. A change that leaves no enabled admin
// is refused with ErrConflict.
func (d *Store) UpdateUser(ctx context.Context, u *engine.User, passwordHash string) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
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
	})
}

// DeleteUser implements identity.Store. Deleting the last enabled admin is
// refused with ErrConflict.
func (d *Store) DeleteUser(ctx context.Context, id string) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
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
	})
}

// CountUsers implements identity.Store.
func (d *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// InsertGroup implements identity.Store.
func (d *Store) InsertGroup(ctx context.Context, g *engine.Group) error {
	_, err := d.write.ExecContext(ctx, `INSERT INTO groups (id, name, create_at) VALUES (?, ?, ?)`, g.ID, g.Name, g.CreateAt)
	if isUniqueViolation(err) {
		return engine.Errorf(engine.ErrConflict, "group %s already exists", g.ID)
	}
	return err
}

// GetGroup implements identity.Store.
func (d *Store) GetGroup(ctx context.Context, id string) (*engine.Group, error) {
	var g engine.Group
	err := d.read.QueryRowContext(ctx, `SELECT id, name, create_at FROM groups WHERE id = ?`, id).Scan(&g.ID, &g.Name, &g.CreateAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.Errorf(engine.ErrNotFound, "group %s not found", id)
	}
	return &g, err
}

var groupSorts = map[string]string{"id": "id", "name": "name", "createAt": "create_at"}

// ListGroups implements identity.Store.
func (d *Store) ListGroups(ctx context.Context, page engine.Page) ([]*engine.Group, int, error) {
	order, err := orderBy(page, groupSorts, "id")
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := d.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM groups`).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := d.read.QueryContext(ctx, `SELECT id, name, create_at FROM groups`+order+` LIMIT ? OFFSET ?`, page.Limit, page.Offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	list := []*engine.Group{}
	for rows.Next() {
		var g engine.Group
		if err := rows.Scan(&g.ID, &g.Name, &g.CreateAt); err != nil {
			return nil, 0, err
		}
		list = append(list, &g)
	}
	return list, total, rows.Err()
}

// UpdateGroup implements identity.Store.
func (d *Store) UpdateGroup(ctx context.Context, g *engine.Group) error {
	res, err := d.write.ExecContext(ctx, `UPDATE groups SET name = ? WHERE id = ?`, g.Name, g.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return engine.Errorf(engine.ErrNotFound, "group %s not found", g.ID)
	}
	return nil
}

// DeleteGroup implements identity.Store.
func (d *Store) DeleteGroup(ctx context.Context, id string) error {
	res, err := d.write.ExecContext(ctx, `DELETE FROM groups WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return engine.Errorf(engine.ErrNotFound, "group %s not found", id)
	}
	return nil
}

// AddMember implements identity.Store.
func (d *Store) AddMember(ctx context.Context, groupID, userID string) error {
	_, err := d.write.ExecContext(ctx, `INSERT OR IGNORE INTO membership (group_id, user_id) VALUES (?, ?)`, groupID, userID)
	return err
}

// RemoveMember implements identity.Store.
func (d *Store) RemoveMember(ctx context.Context, groupID, userID string) error {
	res, err := d.write.ExecContext(ctx, `DELETE FROM membership WHERE group_id = ? AND user_id = ?`, groupID, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return engine.Errorf(engine.ErrNotFound, "user %s is not a member of group %s", userID, groupID)
	}
	return nil
}

// ListMembers implements identity.Store.
func (d *Store) ListMembers(ctx context.Context, groupID string) ([]*engine.User, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT `+prefixed("u.", userColumns)+` FROM users u
		JOIN membership m ON m.user_id = u.id WHERE m.group_id = ? ORDER BY u.id`, groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []*engine.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, u)
	}
	return list, rows.Err()
}

// InsertToken implements identity.Store.
func (d *Store) InsertToken(ctx context.Context, t *identity.APIToken, secretHash string) error {
	_, err := d.write.ExecContext(ctx, `INSERT INTO api_token (id, user_id, name, prefix, secret_hash, create_at, expires_at)
		VALUES (?,?,?,?,?,?,?)`, t.ID, t.UserID, t.Name, t.Prefix, secretHash, t.CreateAt, t.ExpiresAt)
	return err
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
		return nil, engine.ErrNotFound
	}
	return t, err
}

// ListTokens implements identity.Store.
func (d *Store) ListTokens(ctx context.Context, userID string) ([]*identity.APIToken, error) {
	rows, err := d.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_token WHERE user_id = ? ORDER BY create_at DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := []*identity.APIToken{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, t)
	}
	return list, rows.Err()
}

// DeleteToken implements identity.Store.
func (d *Store) DeleteToken(ctx context.Context, id, userID string) error {
	res, err := d.write.ExecContext(ctx, `DELETE FROM api_token WHERE id = ? AND (? = '' OR user_id = ?)`, id, userID, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return engine.Errorf(engine.ErrNotFound, "token %s not found", id)
	}
	return nil
}

// TouchToken implements identity.Store.
func (d *Store) TouchToken(ctx context.Context, id string, at int64) error {
	_, err := d.write.ExecContext(ctx, `UPDATE api_token SET last_used_at = ? WHERE id = ?`, at, id)
	return err
}

// InsertSession implements identity.Store.
func (d *Store) InsertSession(ctx context.Context, secretHash string, s *identity.Session) error {
	_, err := d.write.ExecContext(ctx, `INSERT INTO session (secret_hash, user_id, csrf, create_at, expires_at) VALUES (?,?,?,?,?)`,
		secretHash, s.UserID, s.CSRF, s.CreateAt, s.ExpiresAt)
	return err
}

// SessionBySecretHash implements identity.Store.
func (d *Store) SessionBySecretHash(ctx context.Context, secretHash string) (*identity.Session, error) {
	var s identity.Session
	err := d.read.QueryRowContext(ctx, `SELECT user_id, csrf, create_at, expires_at FROM session WHERE secret_hash = ?`, secretHash).
		Scan(&s.UserID, &s.CSRF, &s.CreateAt, &s.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, engine.ErrNotFound
	}
	return &s, err
}

// DeleteSession implements identity.Store.
func (d *Store) DeleteSession(ctx context.Context, secretHash string) error {
	_, err := d.write.ExecContext(ctx, `DELETE FROM session WHERE secret_hash = ?`, secretHash)
	return err
}

// DeleteExpiredSessions implements identity.Store.
func (d *Store) DeleteExpiredSessions(ctx context.Context, now int64) error {
	_, err := d.write.ExecContext(ctx, `DELETE FROM session WHERE expires_at <= ?`, now)
	return err
}

func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
