package engine

// Roles, from most to least powerful.
const (
	RoleAdmin    = "admin"    // everything, identity and jobs included
	RoleDesigner = "designer" // edit and start processes
	RoleUser     = "user"     // inbox and start
	// RoleWorker is a program doing external tasks (DESIGN §10): it may call only the
	// external worker APIs (identity.Admit), has no UI, and ranks below every other
	// role (HasRole of admin, designer or user is false for it).
	RoleWorker = "worker"
)

// MaxNameLen is the longest name, in characters, of a process, user, group or token.
const MaxNameLen = maxNameLen

// User is a person or system account. Passwords, sessions and tokens are not the
// domain's business: package identity keeps them.
type User struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Role     string   `json:"role"`
	Groups   []string `json:"groups"`
	Disabled bool     `json:"disabled"`
	CreateAt int64    `json:"createAt"`
	UpdateAt int64    `json:"updateAt"`
	// LockedUntil is set (unix ms) while failed sign-ins lock the account (in user lists).
	LockedUntil int64 `json:"lockedUntil,omitempty"`
}

// HasRole reports whether u has role r or a more powerful one. A worker has none of
// the ranked roles; HasRole(RoleWorker) holds for workers only.
func (u *User) HasRole(r string) bool {
	if r == RoleWorker || u != nil && u.Role == RoleWorker {
		return u != nil && u.Role == r
	}
	rank := map[string]int{RoleUser: 1, RoleDesigner: 2, RoleAdmin: 3}
	return u != nil && rank[u.Role] >= rank[r] && rank[r] > 0
}

// Group is a set of users, used for candidate groups of human tasks.
type Group struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	CreateAt int64  `json:"createAt"`
}
