package web_test

import (
	"testing"
	"time"

	"flowcraft/engine"
	"flowcraft/web"
)

// TestInstancesDateFilterInServerZone: the instances page's from/to dates are
// days in the server's time zone, the zone its times are shown in. The zone is
// picked so that its date now differs from the UTC date (with an hour to spare),
// so the former UTC days would leave the instance out.
func TestInstancesDateFilterInServerZone(t *testing.T) {
	zone := "Etc/GMT+12" // UTC-12: the day before, while it is before 11:00 UTC
	if time.Now().UTC().Hour() >= 11 {
		zone = "Pacific/Kiritimati" // UTC+14: the next day from 10:00 UTC
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnvWith(t, web.Config{Location: loc})
	e.addUser(t, "zhangsan", "张三", engine.RoleUser)
	pid := e.createProcess(t, example(t, "leave-approval.json"))
	inst := e.startAs(t, "zhangsan", pid, map[string]any{"applicant": "张三", "days": 2, "reason": "家事"})
	started := time.UnixMilli(int64(e.call(t, "GET", "/api/processInst/"+inst, "admin", nil).json(t)["startAt"].(float64)))
	day := started.In(loc).Format("2006-01-02")
	if day == started.UTC().Format("2006-01-02") {
		t.Fatalf("%s's date %s is the UTC date: the test proves nothing", zone, day)
	}
	admin := e.signIn(t, "admin")
	status, body := e.page(t, "/instances?from="+day+"&to="+day, admin, "en")
	if status != 200 {
		t.Fatalf("instances page: %d", status)
	}
	mustHave(t, "the instances of "+day+" in "+zone, body, `href="/instances/`+inst+`"`, started.In(loc).Format("2006-01-02 15:04"))
	prev := started.In(loc).AddDate(0, 0, -1).Format("2006-01-02")
	_, body = e.page(t, "/instances?from="+prev+"&to="+prev, admin, "en")
	mustLack(t, "the instances of "+prev+" in "+zone, body, `href="/instances/`+inst+`"`)
	if status, _ := e.page(t, "/instances?from=31.05.2024", admin, "en"); status != 400 {
		t.Errorf("a bad date: %d, want 400", status)
	}
}
