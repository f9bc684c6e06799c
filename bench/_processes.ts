/**
 * What the gateway benchmarks share: flags, the load average, Cove nodes
 * started as real `deno run main.ts` processes (so a load generator never
 * shares their event loop), a node's memory and CPU read from /proc, and a
 * fresh Postgres schema per run.
 *
 * @module
 */
import postgres from "postgres";
import { ConfigSchema } from "../shared/mod.ts";

const ROOT = new URL("..", import.meta.url);

/** The value of `--name=value` (`""` for a bare `--name`), or undefined when absent. */
export function flag(name: string): string | undefined {
  const hit = Deno.args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return undefined;
  return hit.includes("=") ? hit.slice(hit.indexOf("=") + 1) : "";
}

/** The 1-minute load average, as /proc/loadavg shows it ("?" where it cannot be read). */
export function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ")[0] ?? "?";
  } catch {
    return "?";
  }
}

/** Resident memory of a process, bytes (VmRSS in /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = status.match(/^VmRSS:\s+(\d+) kB/m)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

/** CPU time a process has used (user + system), ms, from /proc/<pid>/stat at 100 Hz ticks. */
export function cpuMs(pid: number): number {
  const { user, system } = cpuSplitMs(pid);
  return user + system;
}

/** CPU time a process has used in user space and in the kernel (its syscalls), ms. */
export function cpuSplitMs(pid: number): { user: number; system: number } {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(f[11]) * 10, system: Number(f[12]) * 10 }; // utime, stime (fields 14, 15)
}

/**
 * CPU time of every `postgres` process on the machine, ms. Other sessions'
 * queries on the same server count too, so it is an upper bound.
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      if (!stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).startsWith("postgres")) {
        continue;
      }
      total += cpuMs(Number(e.name));
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/** A fresh schema on `url` for one run; `url` then points its connections at it. */
export interface BenchSchema {
  /** The database URL with `search_path` set to the schema (postgres.js passes it on). */
  url: string;
  schema: string;
  /** Runs a query in the schema. */
  sql: postgres.Sql;
  /** Drops the schema and closes the connection. */
  drop(): Promise<void>;
}

/** Creates schema `<prefix>_<random>` on the Postgres at `url`. */
export async function createBenchSchema(url: string, prefix: string): Promise<BenchSchema> {
  const schema = `${prefix}_${crypto.randomUUID().slice(0, 8)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set("search_path", schema);
  const sql = postgres(scoped.toString(), { max: 2, onnotice: () => {} });
  return {
    url: scoped.toString(),
    schema,
    sql,
    async drop() {
      await sql.unsafe(`DROP SCHEMA "${schema}" CASCADE`).catch((e) =>
        console.error(`could not drop schema ${schema}:`, e)
      );
      await sql.end();
    },
  };
}

/** A random secret of 32 bytes, hex: what the nodes sign tokens with and the bench issues them with. */
export function randomSecret(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/** A started Cove node process. */
export interface NodeProcess {
  readonly label: string;
  readonly url: string;
  readonly pid: number;
  /** Everything it printed so far. */
  readonly output: { stdout: string; stderr: string };
  /** SIGTERM, then SIGKILL if it has not exited within 15 s; waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `deno run -A main.ts` (or `options.script`, relative to the
 * repository root) with `env` (every other Cove variable blank,
 * so the caller's environment cannot leak in) and waits for its
 * "listening on" line. `PORT` defaults to 0 and `HOST` to 127.0.0.1.
 */
export async function startNode(
  label: string,
  env: Record<string, string>,
  options: { timeoutMs?: number; v8Flags?: string; script?: string; denoFlags?: string[] } = {},
): Promise<NodeProcess> {
  const blank = Object.fromEntries(Object.keys(ConfigSchema.shape).map((k) => [k, ""]));
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...(options.v8Flags ? [`--v8-flags=${options.v8Flags}`] : []),
      ...(options.denoFlags ?? []),
      options.script ?? "main.ts",
    ],
    cwd: ROOT,
    env: { ...blank, NO_COLOR: "1", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = { stdout: "", stderr: "" };
  const collect = async (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      // Keep the head and the tail: a long run's repeated errors must not grow memory.
      output[key] = (output[key] + text).slice(-200_000);
    }
  };
  const drained = Promise.all([collect(child.stdout, "stdout"), collect(child.stderr, "stderr")]);
  let exited = false;
  const status = child.status.finally(() => exited = true);
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    const timer = setTimeout(() => {
      if (!exited) child.kill("SIGKILL");
    }, 15_000);
    await status;
    clearTimeout(timer);
    await drained;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline && !exited) {
    const match = output.stdout.match(/listening on (http:\/\/\S+)/);
    if (match) return { label, url: match[1]!, pid: child.pid, output, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(
    `node ${label} did not start (exited: ${exited})\nstdout:\n${output.stdout}\nstderr:\n${output.stderr}`,
  );
}
