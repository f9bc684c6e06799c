import assert from "node:assert/strict";
import { leadMigrations } from "../actors/lead/mod.ts";
import { openDatabase } from "../actors/runtime/mod.ts";
import { newId } from "../shared/ids.ts";

const url = Deno.env.get("TEST_DATABASE_URL");
const PEOPLE = 40;

Deno.test({
  name: `dedupe: the same people captured at the same moment by two processes are one lead each${
    url ? "" : " (skipped: TEST_DATABASE_URL not set; two processes need a shared Postgres)"
  }`,
  ignore: !url,
  async fn() {
    const schema = `t_${newId()}`;
    const db = await openDatabase({
      url: url!,
      schema,
      max: 2,
      migrations: await leadMigrations(),
    });
    try {
      const startAt = String(Date.now() + 4_000);
      const worker = new URL("./_capture_worker.ts", import.meta.url).pathname;
      const run = (name: string) =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "--allow-all", worker, url!, schema, startAt, String(PEOPLE), name],
          stdout: "piped",
          stderr: "piped",
        }).output();
      const outputs = await Promise.all([run("a"), run("b")]);
      const results = outputs.map((o, k) => {
        assert.ok(o.success, `worker ${k} failed: ${new TextDecoder().decode(o.stderr)}`);
        const lines = new TextDecoder().decode(o.stdout).trim().split("\n");
        return new Map(lines.map((l) => JSON.parse(l)).map((r) => [r.i, r]));
      });
      for (let i = 0; i < PEOPLE; i++) {
        const a = results[0]!.get(i);
        const b = results[1]!.get(i);
        assert.equal(a.leadId, b.leadId, `person ${i} became two leads`);
        assert.deepEqual([a.outcome, b.outcome].sort(), ["created", "merged"]);
      }
      const [leads] = await db.sql`SELECT count(*)::int AS n FROM leads WHERE tenant = 'race'`;
      assert.equal(leads!.n, PEOPLE);
      const perLead = await db.sql`SELECT actor, array_agg(type ORDER BY type) AS types FROM events
        WHERE type IN ('lead.captured', 'lead.merged') GROUP BY actor`;
      assert.equal(perLead.length, PEOPLE);
      for (const r of perLead) assert.deepEqual(r.types, ["lead.captured", "lead.merged"]);
    } finally {
      await db.sql.unsafe(`DROP SCHEMA "${schema}" CASCADE`).catch(() => {});
      await db.close();
    }
  },
});
