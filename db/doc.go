// Package db is flowcraft's storage contract. Store is everything the server needs
// from a database: the small interfaces that package engine (and identity, and the
// cron scheduler) declare for themselves, plus the lifecycle of the store. Each
// implementation lives in a subpackage — db/sqlite is the embedded default, one
// file and no server; db/postgres, for several nodes on one database, comes later —
// and every implementation must pass the contract tests of db/storetest, which say
// in code what a store has to do: optimistic revs that fail with engine.ErrConflict,
// steps that commit all or nothing, jobs leased to one owner at a time, the inbox's
// queries, the last-admin rule, cron slots claimed once, and so on.
package db
