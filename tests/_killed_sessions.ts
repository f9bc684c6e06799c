/**
 * What the kill tests share: after SIGKILL, a COMMIT the worker sent just
 * before dying may still land, so a test waits until the server has closed
 * the worker's sessions (named by PGAPPNAME) before it checks the database.
 *
 * @module
 */
import type postgres from "postgres";

/** Resolves once no session named `appName` is open (at most 30 s). */
export async function waitForSessionsToEnd(admin: postgres.Sql, appName: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [row] = await admin<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = ${appName}`;
    if (row!.n === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`${row!.n} session(s) of the killed worker still open after 30 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
