// Package apitest is what the tests of the protocol packages (camunda, flowable)
// share: the real server they run against and data written straight to its store.
// Only tests import it.
package apitest
