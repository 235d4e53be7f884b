// Harness for flowable/external_job_client_test.go: drives flowcraft's Flowable
// external worker API with @flowable-oss/external-worker-client, unchanged, and prints
// what the workers saw as one JSON line.
//
// node flowable-worker.mjs '<config>' where config is
//   {"host": "http://127.0.0.1:PORT/flowable-rest", "auth": {"username", "password"} | {"token"},
//    "scenario": "complete" | "bpmnError" | "failures" | "incident" | "lockExpiry",
//    "topic": "...", "errorCode": "...", "timeoutMs": 30000}
import pkg from '@flowable-oss/external-worker-client';

const { ExternalWorkerClient } = pkg;
const cfg = JSON.parse(process.argv[2]);
const out = { jobs: [], errors: [] };

const fail = (why) => {
  process.stderr.write(String(why) + '\n');
  process.stdout.write(JSON.stringify({ ...out, failed: String(why) }) + '\n');
  process.exit(1);
};
setTimeout(() => fail('timed out'), cfg.timeoutMs || 30000).unref();

const client = (workerId) => new ExternalWorkerClient({ flowableHost: cfg.host, workerId, auth: cfg.auth });

// after wraps a work result so that the harness learns when the client sent it (and
// what the server answered), through the client's own WorkResult interface.
const after = (result, done) => ({
  async execute(restClient) {
    try {
      await result.execute(restClient);
      done(null);
    } catch (e) {
      const err = { status: e.response?.status, data: e.response?.data, message: e.message };
      out.errors.push(err);
      done(err);
    }
  },
});

const seen = (job) => {
  out.jobs.push(job);
  return job;
};

const finish = (...subs) => {
  for (const s of subs) s.unsubscribe();
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
};

const scenarios = {
  // One job completed with a variable of every type the client names.
  complete() {
    const sub = client('node-worker-1').subscribe({
      topic: cfg.topic, lockDuration: 'PT1M', waitPeriodSeconds: 0.1,
      callbackHandler(job, result) {
        seen(job);
        return after(result.success()
          .variable('greeting', 'hello from node', 'string')
          .variable('count', 42, 'integer')
          .variable('big', 1099511627776, 'long')
          .variable('price', 9.5, 'double')
          .variable('approved', true, 'boolean')
          .variable('order', { id: 'A-1', lines: [{ sku: 'x', qty: 2 }] }, 'json')
          .variable('shipped', '2024-05-01T10:00:00.000Z', 'date'), () => finish(sub));
      },
    });
  },

  // One job ended with a BPMN error (routed by its code in the process).
  bpmnError() {
    const sub = client('node-worker-1').subscribe({
      topic: cfg.topic, lockDuration: 'PT1M', waitPeriodSeconds: 0.1,
      callbackHandler(job, result) {
        seen(job);
        return after(result.bpmnError().errorCode(cfg.errorCode).variable('reason', 'out of stock', 'string'), () => finish(sub));
      },
    });
  },

  // The same job three times: the handler throws (the client fails the job: one retry
  // fewer), then fails it with explicit retries and a retry timeout, then completes it.
  failures() {
    let n = 0;
    const sub = client('node-worker-1').subscribe({
      topic: cfg.topic, lockDuration: 'PT1M', waitPeriodSeconds: 0.1,
      callbackHandler(job, result) {
        seen(job);
        n++;
        if (n === 1) throw 'boom'; // the client fails the job with this message
        if (n === 2) return result.failure().errorMessage('again').errorDetails('details of again').retries(1).retryTimeout('PT0.2S');
        return after(result.success().variable('attempts', n, 'integer'), () => finish(sub));
      },
    });
  },

  // A failure with no retries left: the job becomes an incident.
  incident() {
    const sub = client('node-worker-1').subscribe({
      topic: cfg.topic, lockDuration: 'PT1M', waitPeriodSeconds: 0.1,
      callbackHandler(job, result) {
        seen(job);
        return after(result.failure().errorMessage('fatal').errorDetails('no stock system').retries(0), () => finish(sub));
      },
    });
  },

  // Worker A locks the job for a second and stalls; worker B acquires it once the lock
  // has expired; A's late completion, while B holds the job, is refused; B completes it.
  lockExpiry() {
    let bHasIt, aTried;
    const bHolds = new Promise((resolve) => { bHasIt = resolve; });
    const aDone = new Promise((resolve) => { aTried = resolve; });
    let subB;
    const subA = client('worker-a').subscribe({
      topic: cfg.topic, lockDuration: 'PT1S', waitPeriodSeconds: 0.1,
      async callbackHandler(job, result) {
        seen({ ...job, by: 'worker-a' });
        subB = client('worker-b').subscribe({
          topic: cfg.topic, lockDuration: 'PT1M', waitPeriodSeconds: 0.1,
          async callbackHandler(jobB, resultB) {
            seen({ ...jobB, by: 'worker-b' });
            bHasIt();
            await aDone;
            return after(resultB.success().variable('by', 'worker-b', 'string'), () => finish(subA, subB));
          },
        });
        await bHolds;
        return after(result.success().variable('by', 'worker-a', 'string'), () => aTried());
      },
    });
  },
};

const run = scenarios[cfg.scenario];
if (!run) fail('unknown scenario ' + cfg.scenario);
run();
