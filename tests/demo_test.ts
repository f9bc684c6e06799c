/**
 * `deno task demo --no-serve` as a real process on a fresh embedded
 * database: the tenant gets leads from several sources, a won lead, two
 * campaigns with enrolments, tasks and bookings; a second run adds nothing.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ConfigSchema } from "../shared/mod.ts";
import { openDatabase } from "../actors/runtime/mod.ts";

const ROOT = new URL("..", import.meta.url);

/** Runs the demo task's script with `args` on `dataDir`; returns its output, failing on a non-zero exit. */
async function runDemo(dataDir: string, args: string[]): Promise<string> {
  // Blank every Cove variable so the developer's own DATABASE_URL cannot leak in.
  const blank = Object.fromEntries(Object.keys(ConfigSchema.shape).map((k) => [k, ""]));
  // The `demo` task's own command line, so a missing permission fails here too.
  const json = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const [, ...task] = String(json.tasks.demo).split(/\s+/);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...task, ...args],
    cwd: ROOT,
    env: { ...blank, NO_COLOR: "1", DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "warn" },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  return text;
}

/** Counts of the tenant's journal, read after the process has closed the database. */
async function counts(dataDir: string, tenant: string) {
  const db = await openDatabase({ dataDir: `${dataDir}/pg` });
  try {
    const n = async (type: string) =>
      (await db.sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM events WHERE tenant = ${tenant} AND type = ${type}`)[0]!.n;
    const sources = await db.sql<{ source: string }[]>`
      SELECT DISTINCT data->>'source' AS source FROM events
      WHERE tenant = ${tenant} AND type = 'lead.captured'`;
    const won = (await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM events
      WHERE tenant = ${tenant} AND type = 'lead.status_changed' AND data->>'to' = 'won'
        AND (data->>'valueCents')::int > 0`)[0]!.n;
    const span = (await db.sql<{ days: number }[]>`
      SELECT extract(epoch FROM max(at) - min(at))::int / 86400 AS days FROM events
      WHERE tenant = ${tenant} AND type = 'lead.captured'`)[0]!.days;
    return {
      leads: await n("lead.captured"),
      sources: sources.map((r) => r.source).sort(),
      won,
      campaigns: await n("campaign.launched"),
      enrolled: await n("lead.campaign_enrolled"),
      tasks: await n("task.created"),
      bookings: await n("booking.confirmed"),
      messages: await n("lead.message_recorded"),
      span,
    };
  } finally {
    await db.close();
  }
}

Deno.test({
  name: "demo: fills a tenant through the actors over 90 days, and a rerun adds nothing",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cove-demo-" });
    try {
      const args = ["--leads", "40", "--no-serve", "--tenant", "acme"];
      const first = await runDemo(dir, args);
      assert.match(first, /40 leads created/);
      const after = await counts(dir, "acme");
      assert.equal(after.leads, 40);
      assert.ok(after.sources.length >= 4, `sources: ${after.sources}`);
      assert.ok(after.won >= 1, "a won lead with a value");
      assert.equal(after.campaigns, 2);
      assert.ok(after.enrolled > 0, "campaigns enrolled leads");
      assert.ok(after.tasks > 0 && after.bookings > 0 && after.messages > 0, JSON.stringify(after));
      // Spread over the 90 days, not all captured at once.
      assert.ok(after.span >= 60, `captures span ${after.span} days`);

      const second = await runDemo(dir, args);
      assert.match(second, /0 leads created, 40 already there/);
      const again = await counts(dir, "acme");
      assert.deepEqual(
        { leads: again.leads, campaigns: again.campaigns, won: again.won, tasks: again.tasks },
        { leads: 40, campaigns: 2, won: after.won, tasks: after.tasks },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
