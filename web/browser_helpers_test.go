package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"flowcraft/web"
)

// browser drives a headless Chromium against the real app (with the static
// files from ../static) on a loopback port. Every uncaught JavaScript
// exception fails the test.
type browser struct {
	t     *testing.T
	env   *testEnv
	base  string
	ctx   context.Context
	shots string

	mu     sync.Mutex
	errors []string
}

// chromiumPath finds Debian's chromium. Without it the browser tests skip,
// except under CI=true, where they fail.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; CI needs it for the browser tests (apt-get install -y chromium)")
	}
	t.Skip("browser test skipped: chromium is not installed (apt-get install -y chromium); under CI=true this fails")
	return ""
}

// newBrowser starts the app and a fresh Chromium and signs in as user.
// Screenshots go to $FLOWCRAFT_SCREENSHOTS when set, else to a temporary directory.
func newBrowser(t *testing.T, user string) *browser {
	t.Helper()
	return newBrowserWith(t, user, web.Config{})
}

// newBrowserWith is newBrowser with the app's configuration.
func newBrowserWith(t *testing.T, user string, cfg web.Config) *browser {
	t.Helper()
	path := chromiumPath(t)
	e := newTestEnv(t)
	e.deps.Static = os.DirFS("../static")
	e.app = web.New(cfg, e.deps)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.app.Listener(ln) }()
	t.Cleanup(func() { _ = e.app.ShutdownWithTimeout(5 * time.Second) })

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser; no timeout on this first call
		t.Fatalf("start chromium: %v", err)
	}
	shots := os.Getenv("FLOWCRAFT_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, env: e, base: "http://" + ln.Addr().String(), shots: shots}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, m.Text)
				b.mu.Unlock()
			}
		}
	}()
	tctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel)
	b.ctx = tctx
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, e := range b.errors {
			t.Errorf("JavaScript exception in the page: %s", e)
		}
	})
	if user != "" {
		b.login(user)
	}
	return b
}

// do runs actions, failing the test on an error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression and decodes its JSON value into out.
func (b *browser) eval(js string, out any) {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string]("JSON.stringify((() => { return "+js+"; })())"))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(s), out); err != nil {
			b.t.Fatalf("evaluate %s: decode %q: %v", js, s, err)
		}
	}
}

// wait waits until a JavaScript expression is truthy. A navigation while it
// waits (a save that opens another page) restarts the wait on the new page.
func (b *browser) wait(what, js string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			b.shot("timeout-" + strings.ReplaceAll(what, " ", "-"))
			b.t.Fatalf("wait for %s: timed out", what)
		}
		_, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(left)))
		if err == nil {
			return
		}
		msg := err.Error()
		if !strings.Contains(msg, "navigated") && !strings.Contains(msg, "Not attached") && !strings.Contains(msg, "context was destroyed") &&
			!strings.Contains(msg, "Cannot find context") {
			b.shot("failed-wait-" + strings.ReplaceAll(what, " ", "-"))
			b.t.Fatalf("wait for %s: %v", what, err)
		}
	}
}

// waitReady waits until the page has loaded and its script marked the element
// with id as ready (data-ready="true", set once its handlers are bound). After a
// navigation or a reload the page must be ready before the test acts on it.
func (b *browser) waitReady(what, id string) {
	b.t.Helper()
	b.wait(what, fmt.Sprintf(`document.readyState === "complete" && document.getElementById(%q)?.dataset.ready === "true"`, id))
}

// setValue sets the value of the first element matching sel and fires input and
// change, as choosing it by hand does. The element is looked up and set in one
// step inside the page, once it exists: never a node captured earlier, which a
// reload in between would have replaced.
func (b *browser) setValue(sel, v string) {
	b.t.Helper()
	b.wait("set "+sel, fmt.Sprintf(`(() => {
		const e = document.querySelector(%q);
		if (!e) return false;
		e.value = %q;
		if (e.value !== %q) return false;
		e.dispatchEvent(new Event("input", {bubbles: true}));
		e.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, sel, v, v))
}

// center returns the viewport centre of the first element matching sel.
func (b *browser) center(sel string) (float64, float64) {
	b.t.Helper()
	var r struct{ X, Y float64 }
	b.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return null; e.scrollIntoView({block: "nearest", inline: "nearest"}); const r = e.getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()`, sel), &r)
	if r.X == 0 && r.Y == 0 {
		b.shot("missing")
		b.t.Fatalf("no element %s on the page", sel)
	}
	return r.X, r.Y
}

// drag presses the left button at (x1, y1), moves in steps to (x2, y2) and releases.
func (b *browser) drag(what string, x1, y1, x2, y2 float64, mods ...chromedp.Modifier) {
	b.t.Helper()
	var mod chromedp.Modifier
	for _, m := range mods {
		mod |= m
	}
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x1, y1),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x1, y1, chromedp.ButtonLeft, chromedp.ClickCount(1), chromedp.ButtonModifiers(mod)),
	}
	const n = 8
	for i := 1; i <= n; i++ {
		x := x1 + (x2-x1)*float64(i)/n
		y := y1 + (y2-y1)*float64(i)/n
		steps = append(steps, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y, chromedp.ButtonLeft, chromedp.ButtonModifiers(mod)))
	}
	steps = append(steps, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x2, y2, chromedp.ButtonLeft, chromedp.ClickCount(1), chromedp.ButtonModifiers(mod)))
	b.do(what, steps...)
}

// click clicks at the centre of the first element matching sel.
func (b *browser) click(sel string) {
	b.t.Helper()
	x, y := b.center(sel)
	b.do("click "+sel, chromedp.MouseClickXY(x, y))
}

// key sends a key with modifiers to the focused element.
func (b *browser) key(k string, mods ...chromedp.Modifier) {
	b.t.Helper()
	b.do("key "+k, chromedp.KeyEvent(k, chromedp.KeyModifiers(mods...)))
}

// typeInto focuses an input or text area, selects its text and types v over it.
func (b *browser) typeInto(sel, v string) {
	b.t.Helper()
	b.eval(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.focus(); e.select(); return true; })()`, sel), nil)
	b.do("clear "+sel, chromedp.KeyEvent("\b"))
	if v != "" {
		b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), v))
	}
}

// shot saves a screenshot of the viewport as name.png.
func (b *browser) shot(name string) string {
	b.t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	p := filepath.Join(b.shots, b.t.Name()+"-"+name+".png")
	p = strings.ReplaceAll(p, string(filepath.Separator)+string(filepath.Separator), string(filepath.Separator))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", p)
	return p
}

// open navigates to a path of the app.
func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path))
}

// login signs in through the login page.
func (b *browser) login(user string) {
	b.t.Helper()
	b.open("/login")
	b.do("sign in",
		chromedp.WaitVisible(chromedp.CSS("#login-username")),
		chromedp.SendKeys(chromedp.CSS("#login-username"), user),
		chromedp.SendKeys(chromedp.CSS("#login-password"), testPassword),
		chromedp.Submit(chromedp.CSS("#login-password")),
		chromedp.WaitVisible(chromedp.CSS("#processes")),
	)
}

// setLang switches the UI language with the language cookie route.
func (b *browser) setLang(lang, next string) {
	b.t.Helper()
	b.open("/lang?l=" + lang + "&next=" + next)
}

// openDesigner opens a designer page and waits until its script has drawn it.
func (b *browser) openDesigner(path string) {
	b.t.Helper()
	b.open(path)
	b.wait("designer ready", `document.getElementById("designer")?.dataset.ready === "true"`)
}

// drawnGraph is what the canvas shows: nodes by id with their transform, and
// connections as "from>to".
type drawnGraph struct {
	Nodes map[string]string `json:"nodes"`
	Edges []string          `json:"edges"`
	Order []string          `json:"order"`
}

// graph reads the drawn graph from the DOM contract (data-task-id, data-from, data-to).
func (b *browser) graph() drawnGraph {
	b.t.Helper()
	var g drawnGraph
	b.eval(`(() => {
		const nodes = {}, order = [];
		for (const n of document.querySelectorAll(".canvas-svg [data-task-id]")) {
			nodes[n.dataset.taskId] = n.getAttribute("transform");
			order.push(n.dataset.taskId);
			if (n.dataset.status !== "") throw new Error("data-status should be empty");
		}
		const edges = [...document.querySelectorAll(".canvas-svg [data-from]")].map((e) => e.dataset.from + ">" + e.dataset.to).sort();
		return {nodes, edges, order};
	})()`, &g)
	return g
}
