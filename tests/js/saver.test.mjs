// node --test: the save queue keeps order, versions, and failed writes until retried.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, request } from "../../annotations/web/static/web/js/api.js";
import { Saver } from "../../annotations/web/static/web/js/saver.js";

test("writes run one at a time, each with the version the previous one returned", async () => {
  const states = [];
  const saver = new Saver({ version: 3, onState: (s) => states.push(s.status) });
  const seen = [];
  const first = saver.enqueue("a", async (v) => (seen.push(v), { assignment_version: v + 1 }));
  const second = saver.enqueue("b", async (v) => (seen.push(v), v + 1));
  await Promise.all([first, second]);
  assert.deepEqual(seen, [3, 4]);
  assert.equal(saver.version, 5);
  assert.equal(states.at(-1), "saved");
  assert.ok(states.includes("saving"));
});

test("a 409 adopts the server's version, stops, and a retry succeeds", async () => {
  const conflicts = [];
  const saver = new Saver({ version: 1, onState: () => {}, onConflict: (e) => conflicts.push(e) });
  let calls = 0;
  const done = saver.enqueue("note", async (v) => {
    calls += 1;
    if (v !== 7) throw new ApiError(409, { code: "stale_version", current: { version: 7 } });
    return { assignment_version: 8 };
  });
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(saver.status, "failed");
  assert.equal(conflicts.length, 1);
  assert.equal(saver.version, 7);
  saver.retry();
  await done;
  assert.equal(calls, 2);
  assert.equal(saver.version, 8);
  assert.equal(saver.status, "saved");
});

test("a network failure keeps the write and the ones after it", async () => {
  const saver = new Saver({ version: 1, onState: () => {} });
  let online = false;
  const order = [];
  const a = saver.enqueue("a", async (v) => {
    if (!online) throw new ApiError(0, {});
    order.push("a");
    return v + 1;
  });
  const b = saver.enqueue("b", async (v) => (order.push("b"), v + 1));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(saver.status, "failed");
  assert.deepEqual(order, []);
  online = true;
  saver.retry();
  await Promise.all([a, b]);
  assert.deepEqual(order, ["a", "b"]);
});

test("a refused write (400) is handed back and the queue goes on", async () => {
  const states = [];
  const saver = new Saver({ version: 1, onState: (s) => states.push(s) });
  const bad = saver.enqueue("bad", async () => {
    throw new ApiError(400, { code: "invalid", fields: { url: ["Only http"] } });
  });
  const good = saver.enqueue("good", async (v) => v + 1);
  await assert.rejects(bad, (error) => error.fields.url[0] === "Only http");
  await good;
  assert.equal(saver.status, "saved");
  assert.equal(saver.version, 2);
  assert.ok(states.some((s) => s.refused && s.refused.code === "invalid"));
});

test("request sends the CSRF header and turns the error shape into an ApiError", async () => {
  let sent = null;
  const fetchImpl = async (url, init) => {
    sent = { url, init };
    return new Response(JSON.stringify({ code: "invalid", message: "bad", fields: { url: ["x"] } }), {
      status: 400,
      headers: { "Content-Type": "application/json" },
    });
  };
  await assert.rejects(
    request("POST", "/api/v1/x", { a: 1 }, { fetchImpl, csrf: "tok" }),
    (error) => error.status === 400 && error.code === "invalid" && error.fields.url[0] === "x",
  );
  assert.equal(sent.init.headers["X-CSRFToken"], "tok");
  assert.equal(sent.init.body, '{"a":1}');
});

test("request answers null for 204 and reports an unreachable server as status 0", async () => {
  const empty = async () => new Response(null, { status: 204 });
  assert.equal(await request("POST", "/x", undefined, { fetchImpl: empty, csrf: "" }), null);
  const down = async () => {
    throw new TypeError("Failed to fetch");
  };
  await assert.rejects(
    request("GET", "/x", undefined, { fetchImpl: down }),
    (error) => error.status === 0 && error.code === "network",
  );
});
