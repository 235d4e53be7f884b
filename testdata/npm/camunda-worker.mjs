// Harness for camunda/worker_test.go: camunda-external-task-client-js, unchanged,
// working flowcraft's Camunda 7 external task API. One argument, a JSON config:
//
//   {baseUrl, user, password, workerId, topic, lockDuration, asyncResponseTimeout,
//    interval, action, count, variables?, fetchVariables?, errorCode?, retries?,
//    retryTimeout?, extendBy?, delayMs?}
//
// action: "complete" (with typed variables), "bpmnError", "failure", "extendLock"
// (extend, then complete), "hold" (lock and do nothing, then after delayMs try to
// complete: the lock is gone by then). Every event is one JSON line on stdout:
// {"event": "polling"} before each fetch, {"event": "polled", tasks} after it,
// {"event": "received", id, variables} per
// task, {"event": "done", id} or {"event": "error", id, status, type, message} per
// action. The process exits after count tasks.
import { Client, BasicAuthInterceptor, Variables } from "camunda-external-task-client-js";

const cfg = JSON.parse(process.argv[2]);
const print = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const client = new Client({
  baseUrl: cfg.baseUrl,
  workerId: cfg.workerId,
  maxTasks: 1,
  maxParallelExecutions: 1, // no fetch while a task is in hand (a held task is not fetched again)
  lockDuration: cfg.lockDuration ?? 20000,
  asyncResponseTimeout: cfg.asyncResponseTimeout,
  interval: cfg.interval ?? 100,
  autoPoll: false, // started below, once subscribed: the first poll then asks for the topic
  interceptors: new BasicAuthInterceptor({ username: cfg.user, password: cfg.password }),
  use: (c) => {
    c.on("poll:start", () => print({ event: "polling" }));
    c.on("poll:success", (tasks) => print({ event: "polled", tasks: Array.isArray(tasks) ? tasks.length : typeof tasks }));
    c.on("poll:error", (e) => print({ event: "poll-error", message: String(e && e.message) }));
  },
});

let handled = 0;
const finish = () => {
  handled++;
  if (handled >= (cfg.count ?? 1)) {
    client.stop();
    setTimeout(() => process.exit(0), 50);
  }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const report = (id, e) =>
  print({ event: "error", id, status: e.httpStatusCode ?? null, type: e.type ?? null, message: e.engineMsg ?? String(e.message) });

const typedOut = () => {
  const v = new Variables();
  v.set("customer", "Ada Lovelace");
  v.set("amount", 12345678901); // beyond 32 bits: a Long
  v.set("approved", true);
  v.set("order", { id: 7, items: ["tea", "cake"] }); // an object: Json
  v.setTyped("dueAt", { type: "date", value: new Date("2026-01-01T10:00:00.000Z") });
  return v;
};

client.subscribe(cfg.topic, { variables: cfg.fetchVariables }, async ({ task, taskService }) => {
  print({ event: "received", id: task.id, workerId: task.workerId, variables: task.variables.getAllTyped() });
  try {
    switch (cfg.action) {
      case "complete":
        await taskService.complete(task, typedOut());
        break;
      case "bpmnError": {
        const v = new Variables();
        v.set("reason", "card declined");
        await taskService.handleBpmnError(task, cfg.errorCode, "the card was declined", v);
        break;
      }
      case "failure":
        await taskService.handleFailure(task, {
          errorMessage: "payment service down",
          errorDetails: "java.net.ConnectException: refused\n\tat Pay.call(Pay.java:42)",
          retries: cfg.retries,
          retryTimeout: cfg.retryTimeout ?? 0,
        });
        break;
      case "extendLock":
        await taskService.extendLock(task, cfg.extendBy);
        print({ event: "extended", id: task.id });
        await taskService.complete(task, typedOut());
        break;
      case "hold":
        print({ event: "holding", id: task.id });
        await sleep(cfg.delayMs ?? 0);
        await taskService.complete(task, typedOut());
        break;
      default:
        throw new Error("unknown action " + cfg.action);
    }
    print({ event: "done", id: task.id });
  } catch (e) {
    report(task.id, e);
  }
  finish();
});

client.start();

setTimeout(() => {
  print({ event: "timeout" });
  process.exit(2);
}, cfg.timeoutMs ?? 60000);
