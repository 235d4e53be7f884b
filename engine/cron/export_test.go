package cron

// WaitStarts waits for the instance starts under way (tests call it while the
// scheduler is parked, so no start is being added).
func (s *Scheduler) WaitStarts() { s.starts.Wait() }
