package engine

import (
	"context"
	"strings"
)

// InstanceLink is an identity link of an instance added by hand (seed 003's case
// instance identity links): a user involved in it, with the link's type
// (participant, or another a client names). The starter and the users of the
// instance's human tasks are involved without one (see InstanceFilter.InvolvedUser).
type InstanceLink struct {
	UserID   string `json:"userId"`
	Type     string `json:"type"`
	CreateAt int64  `json:"createAt"` // unix ms
}

// InstanceLinkStore keeps the identity links added to instances. The db package
// implements it.
type InstanceLinkStore interface {
	// InstanceLinks lists an instance's links, oldest first; ErrNotFound for an
	// unknown instance.
	InstanceLinks(ctx context.Context, id ID) ([]InstanceLink, error)
	// AddInstanceLink adds a link (nothing changes when it exists); ErrNotFound for an
	// unknown instance.
	AddInstanceLink(ctx context.Context, id ID, l InstanceLink) error
	// RemoveInstanceLink removes a link; ErrNotFound when the instance has no such link.
	RemoveInstanceLink(ctx context.Context, id ID, userID, typ string) error
}

// CheckInstanceLink validates a link a client adds: a user id and a type, each at
// most MaxKeyLen characters, surrounding spaces dropped.
func CheckInstanceLink(l InstanceLink) (InstanceLink, error) {
	l.UserID, l.Type = strings.TrimSpace(l.UserID), strings.TrimSpace(l.Type)
	switch {
	case l.UserID == "":
		return l, InvalidField("userId", CodeRequired, Params{"field": "userId"}, "userId is required")
	case l.Type == "":
		return l, InvalidField("type", CodeRequired, Params{"field": "type"}, "type is required")
	}
	if err := checkLabel("userId", l.UserID); err != nil {
		return l, err
	}
	return l, checkLabel("type", l.Type)
}
