/**
 * The analytics projector: folds each tenant's journal into the analytics
 * tables, live (woken by the bus when a tenant's events commit, plus a slow
 * poll for anything the bus dropped) and from scratch (`rebuildAnalytics`).
 *
 * A pass reads events after the tenant's checkpoint in position order, only
 * as far as positions run without a gap (the stream hub's rule: a position
 * taken by a transaction not yet visible is waited for, never skipped), then
 * in ONE transaction moves the checkpoint by compare-and-set from the value it
 * read and writes the folded rows. A second node folding the same events
 * loses the compare-and-set and rolls back, so nothing is counted twice.
 *
 * @module
 */
import { type Clock, systemClock } from "../../shared/mod.ts";
import type { Bus, Sql } from "../runtime/mod.ts";
import { Journal, tenantTopic } from "../runtime/mod.ts";
import type { JournalEvent } from "./_fold.ts";
import { needs, PageFold } from "./_fold.ts";
import { loadRows, PROJECTION_TABLES, writeRows } from "./_store.ts";

/** The tenant's time zone, for local days (e.g. from its settings' default zone). */
export type ZoneOf = (tenant: string) => string | Promise<string>;

/** What one pass did. */
export type PassOutcome =
  | { state: "advanced"; position: number; events: number }
  | { state: "idle"; position: number }
  | { state: "lost"; position: number };

/** The bus topic where a notice goes after a tenant's analytics moved (not a journal stream). */
export function analyticsTopic(tenant: string): string {
  return `analytics:${tenant}`;
}

class LostRace extends Error {}

/**
 * Folds at most `pageSize` of the tenant's next events. Returns `lost` when
 * another projector moved the checkpoint first (nothing written).
 */
export async function projectOnce(
  sql: Sql,
  tenant: string,
  zone: string,
  pageSize = 5000,
): Promise<PassOutcome> {
  await sql`INSERT INTO analytics_checkpoints (tenant, time_zone) VALUES (${tenant}, ${zone})
            ON CONFLICT (tenant) DO NOTHING`;
  const [cp] = await sql<{ position: number; time_zone: string }[]>`
    SELECT position, time_zone FROM analytics_checkpoints WHERE tenant = ${tenant}`;
  const from = cp!.position;
  if (cp!.time_zone !== zone) {
    await resetAnalytics(sql, tenant, zone);
    return { state: "lost", position: 0 };
  }
  const page = await new Journal(sql).readStream(tenant, from, pageSize);
  const events: JournalEvent[] = [];
  for (const e of page) {
    if (e.position !== from + events.length + 1) break;
    events.push(e);
  }
  if (events.length === 0) return { state: "idle", position: from };
  const to = events.at(-1)!.position;
  try {
    await sql.begin(async (tx) => {
      // The compare-and-set comes first: its row lock orders racing projectors, and the loser
      // finds the checkpoint moved and rolls back before folding anything.
      const moved = await tx`
        UPDATE analytics_checkpoints SET position = ${to}, updated_at = now()
        WHERE tenant = ${tenant} AND position = ${from} AND time_zone = ${zone}
        RETURNING position`;
      if (moved.length === 0) throw new LostRace();
      const need = needs(events, tenant);
      const fold = new PageFold(
        tenant,
        zone,
        await loadRows(tx, tenant, need.leadIds, need.messages),
      );
      for (const e of events) fold.apply(e);
      await writeRows(tx, tenant, fold.finish());
    });
  } catch (e) {
    if (e instanceof LostRace) return { state: "lost", position: from };
    throw e;
  }
  return { state: "advanced", position: to, events: events.length };
}

/** Drops the tenant's projection rows and sets its checkpoint back to 0 (in zone `zone`). */
export async function resetAnalytics(sql: Sql, tenant: string, zone: string): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`INSERT INTO analytics_checkpoints (tenant, time_zone) VALUES (${tenant}, ${zone})
             ON CONFLICT (tenant) DO UPDATE SET position = 0, time_zone = ${zone},
                                                updated_at = now()`;
    for (const table of PROJECTION_TABLES) {
      await tx.unsafe(`DELETE FROM "${table}" WHERE tenant = $1`, [tenant]);
    }
  });
}

/**
 * Folds the tenant's events until none are left, or until `halted()` says so
 * between pages; returns the position reached and how many it folded.
 */
export async function catchUp(
  sql: Sql,
  tenant: string,
  zone: string,
  pageSize = 5000,
  halted: () => boolean = () => false,
): Promise<{ position: number; events: number }> {
  let events = 0;
  for (;;) {
    const r = await projectOnce(sql, tenant, zone, pageSize);
    if (r.state === "advanced") events += r.events;
    if (r.state === "idle" || halted()) return { position: r.position, events };
  }
}

/**
 * Rebuilds a tenant's analytics from position 0 of its journal (for a CLI or
 * the REST rebuild route); returns the position folded up to.
 */
export async function rebuildAnalytics(
  sql: Sql,
  tenant: string,
  opts: { zone?: string; pageSize?: number } = {},
): Promise<number> {
  const zone = opts.zone ?? (await sql<{ time_zone: string }[]>`
    SELECT time_zone FROM analytics_checkpoints WHERE tenant = ${tenant}`)[0]?.time_zone ??
    "UTC";
  await resetAnalytics(sql, tenant, zone);
  return (await catchUp(sql, tenant, zone, opts.pageSize)).position;
}

/** Options of {@link AnalyticsProjector}. */
export interface AnalyticsProjectorOptions {
  sql: Sql;
  /** Wakes the projector when a tenant's events commit; without it, the poll alone. */
  bus?: Bus;
  /** Each tenant's zone; UTC when omitted. A changed zone rebuilds the tenant. */
  zoneOf?: ZoneOf;
  /** How often to look for tenants with unfolded events, ms (default 5,000). */
  pollMs?: number;
  /** Events per transaction (default 5,000; fewer statements per event when catching up). */
  pageSize?: number;
  /** Stamps the notices (default: the system clock). */
  clock?: Clock;
  /** Told about a pass that failed (default: console.error). */
  onError?: (tenant: string, error: unknown) => void;
}

/** Keeps every tenant's analytics folded up to its stream, on this node. */
export class AnalyticsProjector {
  readonly #o: AnalyticsProjectorOptions;
  readonly #subscribed = new Map<string, Promise<() => Promise<void>>>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #polling: Promise<void> | undefined;
  #started = false;
  #stopped = false;

  constructor(options: AnalyticsProjectorOptions) {
    this.#o = options;
  }

  /** Catches up every tenant, subscribes to their streams and starts the poll. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#stopped = false;
    // Tracked like the timer's polls, so a stop during this first catch-up waits for it.
    const first = this.poll();
    this.#polling = first.catch(() => {}).finally(() => this.#polling = undefined);
    await first;
    if (this.#stopped) return;
    this.#timer = setInterval(() => {
      this.#polling ??= this.poll().catch((e) => this.#error("*", e)).finally(() =>
        this.#polling = undefined
      );
    }, this.#o.pollMs ?? 5_000);
  }

  /** Stops waking up, waits for passes in flight and unsubscribes. */
  async stop(): Promise<void> {
    this.#started = false;
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#polling;
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
    const subs = [...this.#subscribed.values()];
    this.#subscribed.clear();
    for (const s of await Promise.allSettled(subs)) {
      if (s.status === "fulfilled") await s.value().catch(() => {});
    }
  }

  /** One poll: every tenant whose stream is ahead of its checkpoint is folded (and subscribed). */
  async poll(): Promise<void> {
    const behind = await this.#o.sql<{ tenant: string }[]>`
      SELECT s.tenant FROM streams s LEFT JOIN analytics_checkpoints c USING (tenant)
      WHERE s.position > coalesce(c.position, 0)`;
    const all = await this.#o.sql<{ tenant: string }[]>`SELECT tenant FROM streams`;
    for (const { tenant } of all) this.#subscribe(tenant);
    await Promise.all(behind.map(({ tenant }) => this.wake(tenant)));
  }

  /**
   * Folds `tenant` now (or once more after the pass in flight); resolves when
   * caught up. Works before `start()` too; does nothing after `stop()`.
   */
  wake(tenant: string): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    const running = this.#running.get(tenant);
    if (running) {
      this.#again.add(tenant);
      return running;
    }
    const run = (async () => {
      do {
        this.#again.delete(tenant);
        const zone = await (this.#o.zoneOf?.(tenant) ?? "UTC");
        // A stop ends the pass at the next page instead of folding the whole backlog first.
        const done = await catchUp(
          this.#o.sql,
          tenant,
          zone,
          this.#o.pageSize,
          () => this.#stopped,
        );
        if (done.events > 0) await this.#notify(tenant, done.position);
      } while (this.#again.has(tenant) && !this.#stopped);
    })().catch((e) => this.#error(tenant, e)).finally(() => this.#running.delete(tenant));
    this.#running.set(tenant, run);
    return run;
  }

  #subscribe(tenant: string): void {
    const bus = this.#o.bus;
    if (!bus || this.#stopped || this.#subscribed.has(tenant)) return;
    const sub = bus.subscribe(tenantTopic(tenant), () => void this.wake(tenant));
    sub.catch((e) => {
      this.#subscribed.delete(tenant);
      this.#error(tenant, e);
    });
    this.#subscribed.set(tenant, sub);
  }

  async #notify(tenant: string, position: number): Promise<void> {
    if (!this.#o.bus) return;
    await this.#o.bus.publish(analyticsTopic(tenant), [{
      tenant,
      position,
      actor: `analytics/${tenant}/projection`,
      seq: 0,
      type: "analytics.updated",
      version: 1,
      data: { position },
      at: (this.#o.clock ?? systemClock).now(),
    }]);
  }

  #error(tenant: string, e: unknown): void {
    if (this.#o.onError) this.#o.onError(tenant, e);
    else console.error(`analytics projection of ${tenant} failed:`, e);
  }
}
