import assert from "node:assert/strict";
import { Deadlines } from "./_deadlines.ts";

Deno.test("deadlines expire what is still waiting and stop their timer when empty", async () => {
  const d = new Deadlines();
  const expired: string[] = [];
  const item = (name: string) => ({ expire: () => expired.push(name) });
  const kept = item("kept");
  const done = item("done");
  d.add(Date.now() + 20, kept);
  const key = d.add(Date.now() + 20, done);
  d.remove(key, done);
  assert.equal(d.size, 1);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(expired, ["kept"]);
  assert.equal(d.size, 0); // the sanitizer fails this test if the interval were left running
});
