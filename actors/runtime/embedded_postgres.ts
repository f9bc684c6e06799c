/**
 * Embedded Postgres: PGlite served over the Postgres wire protocol on a
 * loopback port, so the same `postgres` driver and SQL run unchanged. This is
 * the only module that imports PGlite.
 *
 * Durability: PGlite runs with fsync off. A crashed process loses nothing it
 * committed (the files are written through), but a power loss may. A periodic
 * CHECKPOINT bounds the WAL on disk.
 *
 * @module
 */
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** A running embedded Postgres. */
export interface EmbeddedPostgres {
  /** Connection URL for the `postgres` driver. */
  readonly url: string;
  /** Forces a checkpoint (bounds WAL growth). */
  checkpoint(): Promise<void>;
  /** Stops the server and closes the database. */
  close(): Promise<void>;
}

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedOptions {
  /** Data directory; omitted means in memory (tests). */
  dataDir?: string;
  /** Loopback port; 0 picks a free one. */
  port?: number;
  /** How often to CHECKPOINT, in ms; 0 disables. */
  checkpointEveryMs?: number;
}

/** Starts PGlite and its socket server. */
export async function startEmbeddedPostgres(opts: EmbeddedOptions = {}): Promise<EmbeddedPostgres> {
  if (opts.dataDir) await Deno.mkdir(opts.dataDir, { recursive: true });
  const db = await PGlite.create(opts.dataDir ?? "memory://");
  // PGlite is one session: clients must hold one connection each at most,
  // and the runtime uses a single connection in embedded mode.
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: opts.port ?? 0,
    maxConnections: 8,
  });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  const every = opts.checkpointEveryMs ?? (opts.dataDir ? 60_000 : 0);
  let checkpointing: Promise<unknown> = Promise.resolve();
  const checkpoint = async () => {
    checkpointing = db.exec("CHECKPOINT");
    await checkpointing;
  };
  const timer = every > 0
    ? setInterval(() => checkpoint().catch((e) => console.error("checkpoint failed", e)), every)
    : undefined;
  if (timer !== undefined) Deno.unrefTimer(timer);
  return {
    url,
    checkpoint,
    async close() {
      if (timer !== undefined) clearInterval(timer);
      await checkpointing.catch(() => {});
      await server.stop();
      if (opts.dataDir) await db.exec("CHECKPOINT").catch(() => {});
      await db.close();
    },
  };
}
