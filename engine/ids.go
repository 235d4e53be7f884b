package engine

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"

	"github.com/bwmarrin/snowflake"
)

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomSuffix returns n random characters of [a-z0-9] from crypto/rand.
func randomSuffix(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
	}
	for i := range b {
		// 256 % 36 = 4: the bias is below 2% per character, irrelevant for ids.
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// RandomID returns n random characters of [a-z0-9] from crypto/rand: an id that is
// hard to guess, not a secret (see NewSecret).
func RandomID(n int) string { return randomSuffix(n) }

// NewProcessID returns a fresh process definition id: "proc-" + 8 chars of [a-z0-9].
func NewProcessID() string { return "proc-" + randomSuffix(8) }

// NewTaskID returns a fresh task id: "task-" + 8 chars of [a-z0-9].
func NewTaskID() string { return "task-" + randomSuffix(8) }

// NewSecret returns 32 random bytes hex-encoded: webhook trigger tokens, API tokens, sessions.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return hex.EncodeToString(b)
}

// taskIDPattern is what a client-chosen task id may look like. Generated ids are
// task- + 8 chars; ids from other tools are accepted when they are short and URL-safe.
var taskIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// IDGen hands out snowflake ids for process and node instances.
type IDGen struct {
	node   *snowflake.Node
	number int64
}

// NewIDGen returns a generator for the given node number (0..1023). Several flowcraft
// processes sharing one database must use different node numbers.
func NewIDGen(node int64) (*IDGen, error) {
	n, err := snowflake.NewNode(node)
	if err != nil {
		return nil, fmt.Errorf("snowflake node %d: %w", node, err)
	}
	return &IDGen{node: n, number: node}, nil
}

// Node is the generator's node number.
func (g *IDGen) Node() int64 { return g.number }

// Next returns a new unique id.
func (g *IDGen) Next() int64 { return g.node.Generate().Int64() }
