/**
 * The journal: actors' events, snapshots, reminders and outbox rows in
 * Postgres. Every write of an activation is guarded by its fencing epoch in
 * SQL, so a superseded activation changes nothing. One `commit` call writes
 * many actors' turns in one transaction (group commit).
 *
 * @module
 */
import type postgres from "postgres";
import type { Sql } from "./database.ts";
import type { Effect } from "./effects.ts";

type Tx = postgres.TransactionSql;

/** An event as stored. */
export interface StoredEvent {
  /** Per-actor sequence, 1-based and gap-free. */
  seq: number;
  /** Event type, past tense, e.g. `lead.captured`. */
  type: string;
  /** Schema version the data was written at; older ones are upcast when read. */
  version: number;
  /** The event's data as written (JSON). */
  data: unknown;
  /** Commit-time clock of the turn, epoch ms. */
  at: number;
}

/** An event of a tenant's stream, with its position. */
export interface StreamEvent extends StoredEvent {
  /** The tenant whose stream this is. */
  tenant: string;
  /** Key of the actor that emitted it, `type/tenant/id`. */
  actor: string;
  /** Position in the tenant's stream: gap-free, in commit order. */
  position: number;
}

/** What an activation starts from. */
export interface Recovered {
  /** The fencing epoch this activation now owns; every write carries it. */
  epoch: number;
  /** Last committed sequence of the actor. */
  seq: number;
  /** Latest snapshot of the current state version, if any. */
  snapshot?: { seq: number; version: number; state: unknown };
  /** Events after the snapshot (or all, when there is none), in order. */
  events: StoredEvent[];
}

/** Something that must still hold for a turn to commit, consumed with it. */
export type Consume =
  | { kind: "reminder"; name: string; generation: number; nextDue?: number }
  | {
    kind: "outbox";
    id: number;
    token: string;
    status: "done" | "dead";
    result?: unknown;
    error?: string;
  };

/** One actor's turn to commit. */
export interface CommitRequest {
  /** Actor key, `type/tenant/id`. */
  key: string;
  /** Actor type name. */
  type: string;
  /** Tenant of the actor (and of the stream its events join). */
  tenant: string;
  /** Epoch of the activation asking; a newer one in the table means fenced. */
  epoch: number;
  /** The sequence the activation believes is committed; events follow it. */
  expectedSeq: number;
  /** Events of the turn, in order; they get `expectedSeq + 1 ...`. */
  events: Array<{ type: string; version: number; data: unknown; at: number }>;
  /** Reminders and outbox messages the turn asked for. */
  effects: Effect[];
  /** A reminder firing or outbox result this turn uses up. */
  consume?: Consume;
  /** Read model row after this turn (`actor` is added), upserted in the same commit. */
  projection?: { table: string; row: Record<string, unknown> };
  /** State after this turn's events, written as the actor's snapshot. */
  snapshot?: { state: unknown; version: number };
  /** Clock time of the turn, epoch ms (outbox `next_at` default). */
  now: number;
}

/** What became of one request in a group commit. */
export type CommitOutcome =
  | { status: "ok"; positions: number[] }
  | { status: "fenced" }
  | { status: "stale" };

/** A reminder claimed by a poller. */
export interface ClaimedReminder {
  /** Key of the actor it belongs to. */
  key: string;
  /** That actor's type. */
  type: string;
  /** That actor's tenant. */
  tenant: string;
  /** Reminder name, unique per actor. */
  name: string;
  /** Bumped whenever the reminder is set again, so a stale firing is refused. */
  generation: number;
  /** When it fell due, epoch ms. */
  dueAt: number;
  /** Repeat interval in ms, or null for a one-shot reminder. */
  every: number | null;
  /** What the actor attached when it set the reminder. */
  payload: unknown;
}

/** An outbox row claimed by a dispatcher. */
export interface ClaimedMessage {
  /** Outbox row id. */
  id: number;
  /** Idempotency key, unique per tenant; give it to the provider. */
  key: string;
  /** Key of the actor that asked for the message. */
  actor: string;
  /** That actor's type. */
  type: string;
  /** That actor's tenant. */
  tenant: string;
  /** Which dispatcher sends it (sms, email, ai, ...). */
  channel: string;
  /** What to send, as the actor wrote it. */
  payload: unknown;
  /** Attempts so far, this one included. */
  attempts: number;
  /** Attempts before the message is dead-lettered. */
  maxAttempts: number;
  /** Claim token; only its holder may complete or retry the row. */
  token: string;
}

const DEFAULT_MAX_ATTEMPTS = 8;
const RETRYABLE = new Set(["40P01", "40001"]);

/** Postgres access for the actor runtime. */
export class Journal {
  /** Uses `sql` (a pool, or one connection when embedded) for every statement. */
  constructor(readonly sql: Sql) {}

  /** Takes ownership of an actor (bumping its epoch) and reads what it starts from. */
  async activate(
    key: string,
    type: string,
    tenant: string,
    snapshotVersion: number,
  ): Promise<Recovered> {
    const [row] = await this.sql<{ epoch: number; seq: number }[]>`
      INSERT INTO actors (key, type, tenant, epoch, seq) VALUES (${key}, ${type}, ${tenant}, 1, 0)
      ON CONFLICT (key) DO UPDATE SET epoch = actors.epoch + 1
      RETURNING epoch, seq`;
    const { epoch, seq } = row!;
    if (seq === 0) return { epoch, seq, events: [] };
    const [snap] = await this.sql<{ seq: number; version: number; state: unknown }[]>`
      SELECT seq, version, state FROM snapshots
      WHERE actor = ${key} AND version = ${snapshotVersion} AND seq <= ${seq}`;
    const from = snap?.seq ?? 0;
    const events = await this.readEvents(key, from, seq);
    return snap ? { epoch, seq, snapshot: snap, events } : { epoch, seq, events };
  }

  /** Events of one actor with `after < seq <= upTo`, in order. */
  async readEvents(key: string, after = 0, upTo = Number.MAX_SAFE_INTEGER): Promise<StoredEvent[]> {
    return await this.sql<StoredEvent[]>`
      SELECT seq, type, version, data, round(extract(epoch FROM at) * 1000)::float8 AS at
      FROM events WHERE actor = ${key} AND seq > ${after} AND seq <= ${upTo} ORDER BY seq`;
  }

  /** Events of one actor committed at or before `at` (epoch ms), in order. */
  async readEventsUntil(key: string, at: number): Promise<StoredEvent[]> {
    return await this.sql<StoredEvent[]>`
      SELECT seq, type, version, data, round(extract(epoch FROM at) * 1000)::float8 AS at
      FROM events WHERE actor = ${key} AND at <= to_timestamp(${at} / 1000.0) ORDER BY seq`;
  }

  /** A tenant's events after `position`, in commit order. */
  async readStream(tenant: string, after = 0, limit = 1000): Promise<StreamEvent[]> {
    return await this.sql<StreamEvent[]>`
      SELECT tenant, actor, position, seq, type, version, data,
             round(extract(epoch FROM at) * 1000)::float8 AS at
      FROM events WHERE tenant = ${tenant} AND position > ${after}
      ORDER BY position LIMIT ${limit}`;
  }

  /**
   * Commits many actors' turns in one transaction. Each request succeeds or
   * fails alone: a stale epoch is `fenced`, a consumed reminder or outbox row
   * that no longer holds is `stale`; the rest commit together.
   */
  async commit(batch: CommitRequest[]): Promise<CommitOutcome[]> {
    for (let attempt = 1;; attempt++) {
      try {
        return await this.sql.begin((tx) => this.#commitIn(tx, batch));
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (attempt < 3 && code && RETRYABLE.has(code)) continue;
        throw e;
      }
    }
  }

  async #commitIn(tx: Tx, batch: CommitRequest[]): Promise<CommitOutcome[]> {
    const outcomes: CommitOutcome[] = new Array(batch.length);
    const stale = await this.#checkConsumes(tx, batch);

    // Fencing guard: only activations whose epoch and sequence still match advance.
    const guarded = batch.filter((_, i) => !stale.has(i));
    const passed = new Set<string>();
    if (guarded.length > 0) {
      const rows = await tx<{ key: string }[]>`
        UPDATE actors AS a SET seq = v.new_seq
        FROM unnest(${guarded.map((r) => r.key)}::text[],
                    ${guarded.map((r) => r.epoch)}::bigint[],
                    ${guarded.map((r) => r.expectedSeq)}::bigint[],
                    ${guarded.map((r) => r.expectedSeq + r.events.length)}::bigint[])
             AS v(key, epoch, expected, new_seq)
        WHERE a.key = v.key AND a.epoch = v.epoch AND a.seq = v.expected
        RETURNING a.key`;
      for (const r of rows) passed.add(r.key);
    }
    const ok: CommitRequest[] = [];
    batch.forEach((r, i) => {
      if (stale.has(i)) outcomes[i] = { status: "stale" };
      else if (!passed.has(r.key)) outcomes[i] = { status: "fenced" };
      else ok.push(r);
    });
    if (ok.length === 0) return outcomes;

    const positions = await this.#insertEvents(tx, ok);
    await Promise.all([
      this.#applyConsumes(tx, ok),
      this.#applyEffects(tx, ok),
      this.#writeSnapshots(tx, ok),
      this.#writeProjections(tx, ok),
    ]);
    let j = 0;
    batch.forEach((r, i) => {
      if (outcomes[i] === undefined && ok[j] === r) outcomes[i] = positions[j++]!;
    });
    return outcomes;
  }

  async #checkConsumes(tx: Tx, batch: CommitRequest[]): Promise<Set<number>> {
    const stale = new Set<number>();
    const checks = batch.flatMap((r, i) => r.consume ? [{ r, i, c: r.consume }] : []);
    for (const { r, i, c } of checks) {
      const rows = c.kind === "reminder"
        ? await tx`SELECT 1 FROM reminders
            WHERE actor = ${r.key} AND name = ${c.name} AND generation = ${c.generation} FOR UPDATE`
        : await tx`SELECT 1 FROM outbox
            WHERE id = ${c.id} AND claim_token = ${c.token} AND status = 'claimed' FOR UPDATE`;
      if (rows.length === 0) stale.add(i);
    }
    return stale;
  }

  async #insertEvents(tx: Tx, ok: CommitRequest[]): Promise<CommitOutcome[]> {
    const counts = new Map<string, number>();
    for (const r of ok) {
      if (r.events.length > 0) counts.set(r.tenant, (counts.get(r.tenant) ?? 0) + r.events.length);
    }
    if (counts.size === 0) return ok.map(() => ({ status: "ok", positions: [] }));
    // Tenants in a fixed order so concurrent commits take the row locks alike.
    const tenants = [...counts.keys()].sort();
    const highs = await tx<{ tenant: string; position: number }[]>`
      INSERT INTO streams (tenant, position)
      SELECT * FROM unnest(${tenants}::text[], ${tenants.map((t) => counts.get(t)!)}::bigint[])
      ON CONFLICT (tenant) DO UPDATE SET position = streams.position + EXCLUDED.position
      RETURNING tenant, position`;
    const next = new Map<string, number>();
    for (const h of highs) next.set(h.tenant, h.position - counts.get(h.tenant)! + 1);

    const cols = {
      tenant: [] as string[],
      actor: [] as string[],
      seq: [] as number[],
      position: [] as number[],
      type: [] as string[],
      version: [] as number[],
      data: [] as string[],
      at: [] as number[],
    };
    const outcomes = ok.map((r): CommitOutcome => {
      const positions: number[] = [];
      r.events.forEach((e, k) => {
        const p = next.get(r.tenant)!;
        next.set(r.tenant, p + 1);
        positions.push(p);
        cols.tenant.push(r.tenant);
        cols.actor.push(r.key);
        cols.seq.push(r.expectedSeq + k + 1);
        cols.position.push(p);
        cols.type.push(e.type);
        cols.version.push(e.version);
        cols.data.push(JSON.stringify(e.data));
        cols.at.push(e.at);
      });
      return { status: "ok", positions };
    });
    // Data travels as text and is parsed by Postgres, so it lands as a jsonb object, not a string.
    await tx`
      INSERT INTO events (tenant, actor, seq, position, type, version, data, at)
      SELECT t, a, s, p, ty, v, d::jsonb, to_timestamp(ms / 1000.0)
      FROM unnest(${cols.tenant}::text[], ${cols.actor}::text[], ${cols.seq}::bigint[],
                  ${cols.position}::bigint[], ${cols.type}::text[], ${cols.version}::int[],
                  ${cols.data}::text[], ${cols.at}::float8[])
           AS u(t, a, s, p, ty, v, d, ms)`;
    return outcomes;
  }

  async #applyConsumes(tx: Tx, ok: CommitRequest[]): Promise<void> {
    for (const r of ok) {
      const c = r.consume;
      if (!c) continue;
      if (c.kind === "reminder") {
        if (c.nextDue !== undefined) {
          await tx`UPDATE reminders
            SET due_at = ${c.nextDue}, generation = generation + 1, claimed_until = NULL,
                claimed_by = NULL
            WHERE actor = ${r.key} AND name = ${c.name} AND generation = ${c.generation}`;
        } else {
          await tx`DELETE FROM reminders
            WHERE actor = ${r.key} AND name = ${c.name} AND generation = ${c.generation}`;
        }
      } else {
        await tx`UPDATE outbox
          SET status = ${c.status}, claimed_until = NULL,
              result = ${c.result === undefined ? null : tx.json(c.result as never)},
              last_error = COALESCE(${c.error ?? null}, last_error)
          WHERE id = ${c.id} AND claim_token = ${c.token}`;
      }
    }
  }

  async #applyEffects(tx: Tx, ok: CommitRequest[]): Promise<void> {
    const send: Array<[CommitRequest, Extract<Effect, { kind: "send" }>]> = [];
    for (const r of ok) {
      for (const e of r.effects) if (e.kind === "send") send.push([r, e]);
    }
    // Per reminder only the turn's last word counts (set, or cancel), so set-then-cancel
    // and cancel-then-set both behave; then one statement each for all the batch's actors.
    const last = new Map<
      string,
      [CommitRequest, Extract<Effect, { kind: "remind" | "cancelReminder" }>]
    >();
    for (const r of ok) {
      for (const e of r.effects) {
        if (e.kind !== "send") last.set(`${r.key}\u0000${e.name}`, [r, e]);
      }
    }
    const set = [...last.values()].filter(([, e]) => e.kind === "remind") as Array<
      [CommitRequest, Extract<Effect, { kind: "remind" }>]
    >;
    const cancel = [...last.values()].filter(([, e]) => e.kind === "cancelReminder");
    const writes: Promise<unknown>[] = [];
    if (cancel.length > 0) {
      writes.push(tx`
        DELETE FROM reminders r USING unnest(${cancel.map(([r]) => r.key)}::text[],
                                             ${cancel.map(([, e]) => e.name)}::text[]) AS c(a, n)
        WHERE r.actor = c.a AND r.name = c.n`);
    }
    if (set.length > 0) {
      writes.push(tx`
        INSERT INTO reminders (actor, name, type, tenant, due_at, every_ms, payload)
        SELECT a, n, ty, t, d, ev, p::jsonb
        FROM unnest(${set.map(([r]) => r.key)}::text[], ${set.map(([, e]) => e.name)}::text[],
                    ${set.map(([r]) => r.type)}::text[], ${set.map(([r]) => r.tenant)}::text[],
                    ${set.map(([, e]) => e.at)}::bigint[],
                    ${set.map(([, e]) => e.every ?? null)}::bigint[],
                    ${
        set.map(([, e]) => e.payload === undefined ? null : JSON.stringify(e.payload))
      }::text[])
             AS u(a, n, ty, t, d, ev, p)
        ON CONFLICT (actor, name) DO UPDATE
          SET due_at = EXCLUDED.due_at, every_ms = EXCLUDED.every_ms,
              payload = EXCLUDED.payload, generation = reminders.generation + 1,
              claimed_until = NULL, claimed_by = NULL`);
    }
    await Promise.all(writes);
    if (send.length > 0) {
      await tx`
        INSERT INTO outbox (tenant, actor, type, channel, key, payload, max_attempts, next_at)
        SELECT t, a, ty, c, k, p::jsonb, m, n
        FROM unnest(${send.map(([r]) => r.tenant)}::text[], ${send.map(([r]) => r.key)}::text[],
                    ${send.map(([r]) => r.type)}::text[], ${send.map(([, e]) => e.channel)}::text[],
                    ${send.map(([, e]) => e.key)}::text[],
                    ${send.map(([, e]) => JSON.stringify(e.payload ?? null))}::text[],
                    ${send.map(([, e]) => e.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)}::int[],
                    ${send.map(([r, e]) => e.at ?? r.now)}::bigint[])
             AS u(t, a, ty, c, k, p, m, n)
        ON CONFLICT (tenant, key) DO NOTHING`;
    }
  }

  async #writeProjections(tx: Tx, ok: CommitRequest[]): Promise<void> {
    const byTable = new Map<string, Record<string, unknown>[]>();
    for (const r of ok) {
      if (!r.projection) continue;
      const rows = byTable.get(r.projection.table) ?? [];
      rows.push({ ...r.projection.row, actor: r.key });
      byTable.set(r.projection.table, rows);
    }
    for (const [table, rows] of byTable) {
      // Names come from actor definitions (checked identifiers) and the row's own keys.
      const cols = Object.keys(rows[0]!).filter((c) => /^[a-z_][a-z0-9_]*$/.test(c));
      const list = cols.map((c) => `"${c}"`).join(", ");
      const set = cols.filter((c) => c !== "actor").map((c) => `"${c}" = EXCLUDED."${c}"`);
      await tx.unsafe(
        `INSERT INTO "${table}" (${list})
         SELECT ${list} FROM jsonb_populate_recordset(NULL::"${table}", $1::text::jsonb)
         ON CONFLICT (actor) DO UPDATE SET ${set.join(", ")}`,
        [JSON.stringify(rows)],
      );
    }
  }

  async #writeSnapshots(tx: Tx, ok: CommitRequest[]): Promise<void> {
    const snaps = ok.filter((r) => r.snapshot);
    if (snaps.length === 0) return;
    await tx`
      INSERT INTO snapshots (actor, seq, version, epoch, state)
      SELECT a, s, v, e, st::jsonb
      FROM unnest(${snaps.map((r) => r.key)}::text[],
                  ${snaps.map((r) => r.expectedSeq + r.events.length)}::bigint[],
                  ${snaps.map((r) => r.snapshot!.version)}::int[],
                  ${snaps.map((r) => r.epoch)}::bigint[],
                  ${snaps.map((r) => JSON.stringify(r.snapshot!.state))}::text[])
           AS u(a, s, v, e, st)
      ON CONFLICT (actor) DO UPDATE
        SET seq = EXCLUDED.seq, version = EXCLUDED.version, epoch = EXCLUDED.epoch,
            state = EXCLUDED.state, at = now()`;
  }

  /** Claims up to `limit` due reminders for `lease` ms; racing pollers claim disjoint sets. */
  async claimReminders(
    now: number,
    limit: number,
    lease: number,
    node: string,
  ): Promise<ClaimedReminder[]> {
    return await this.sql<ClaimedReminder[]>`
      UPDATE reminders AS r SET claimed_until = ${now + lease}, claimed_by = ${node}
      FROM (SELECT actor, name FROM reminders
            WHERE due_at <= ${now} AND (claimed_until IS NULL OR claimed_until <= ${now})
            ORDER BY due_at LIMIT ${limit} FOR UPDATE SKIP LOCKED) AS d
      WHERE r.actor = d.actor AND r.name = d.name
      RETURNING r.actor AS key, r.type, r.tenant, r.name, r.generation, r.due_at AS "dueAt",
                r.every_ms AS every, r.payload`;
  }

  /** Claims up to `limit` due outbox rows of the given channels for `lease` ms. */
  async claimOutbox(
    channels: string[],
    now: number,
    limit: number,
    lease: number,
    token: string,
  ): Promise<ClaimedMessage[]> {
    return await this.sql<ClaimedMessage[]>`
      UPDATE outbox AS o
      SET status = 'claimed', claimed_until = ${now + lease}, claim_token = ${token},
          attempts = o.attempts + 1
      FROM (SELECT id FROM outbox
            WHERE channel = ANY(${channels}::text[])
              AND ((status = 'pending' AND next_at <= ${now})
                OR (status = 'claimed' AND claimed_until <= ${now}))
            ORDER BY next_at LIMIT ${limit} FOR UPDATE SKIP LOCKED) AS d
      WHERE o.id = d.id
      RETURNING o.id, o.key, o.actor, o.type, o.tenant, o.channel, o.payload, o.attempts,
                o.max_attempts AS "maxAttempts", o.claim_token AS token`;
  }

  /**
   * Puts a claimed row back to wait until `until` without counting the
   * attempt: it was not tried (a breaker, a rate cap or quiet hours held it).
   */
  async deferOutbox(id: number, token: string, until: number, reason: string): Promise<boolean> {
    const rows = await this.sql`
      UPDATE outbox SET status = 'pending', next_at = ${until}, attempts = attempts - 1,
                        last_error = ${`deferred: ${reason}`}, claimed_until = NULL,
                        claim_token = NULL
      WHERE id = ${id} AND claim_token = ${token} AND status = 'claimed'
      RETURNING id`;
    return rows.length === 1;
  }

  /** Puts a claimed row back to wait until `nextAt` after a failed attempt. */
  async retryOutbox(id: number, token: string, nextAt: number, error: string): Promise<boolean> {
    const rows = await this.sql`
      UPDATE outbox SET status = 'pending', next_at = ${nextAt}, last_error = ${error},
                        claimed_until = NULL, claim_token = NULL
      WHERE id = ${id} AND claim_token = ${token} AND status = 'claimed'
      RETURNING id`;
    return rows.length === 1;
  }
}
