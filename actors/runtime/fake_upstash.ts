/**
 * A local stand-in for Upstash's REST API (a test double, exported for tests
 * in other folders), backed by a real Redis: tests run the real
 * `@upstash/redis` client over a real socket, and every command really runs
 * in Redis. It speaks the parts of the protocol Cove's client uses:
 *
 * - `POST /` with a JSON command array (`["EVAL", script, 1, key, arg]`) →
 *   `200 {"result": ...}`, or `400 {"error": "ERR ..."}` when Redis answers
 *   an error or the body is not a command;
 * - `POST /pipeline` with an array of commands → `200 [{"result"}|{"error"}, ...]`,
 *   run in order;
 * - `Authorization: Bearer <token>` (or `?_token=`) or `401 {"error":
 *   "WRONGPASS invalid or missing auth token"}`, as Upstash answers;
 * - `Upstash-Encoding: base64` (the client's default): string results are
 *   sent base64-encoded, numbers and null as they are.
 *
 * Commands that would block or change the state of the shared connection
 * (subscribe, blocking pops, transactions, `SELECT`...) answer 400: Upstash's
 * REST API holds no connection per client either.
 *
 * @module
 */
import { connectRedisCommands, type RedisCommands } from "./bus_redis.ts";

/** Options of {@link startFakeUpstash}. */
export interface FakeUpstashOptions {
  /** The real Redis the commands run in (`redis://`). */
  redisUrl: string;
  /** The token requests must carry; default a random one. */
  token?: string;
}

/** A running fake; `await using` shuts it down. */
export interface FakeUpstash extends AsyncDisposable {
  /** Pass as `UPSTASH_REDIS_REST_URL`. */
  url: string;
  /** Pass as `UPSTASH_REDIS_REST_TOKEN`. */
  token: string;
  /** Authorized HTTP requests answered so far (a pipeline is one). */
  readonly requests: number;
  /** Stops the server, then closes its Redis connection. Idempotent. */
  close(): Promise<void>;
}

/** Upstash's answer to a missing or wrong token. */
export const WRONGPASS = "WRONGPASS invalid or missing auth token";

const REFUSED = new Set([
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
  "UNSUBSCRIBE",
  "PUNSUBSCRIBE",
  "SUNSUBSCRIBE",
  "MONITOR",
  "SELECT",
  "QUIT",
  "RESET",
  "AUTH",
  "HELLO",
  "CLIENT",
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH",
  "UNWATCH",
  "WAIT",
  "BLPOP",
  "BRPOP",
  "BLMOVE",
  "BLMPOP",
  "BRPOPLPUSH",
  "BZPOPMIN",
  "BZPOPMAX",
  "BZMPOP",
]);

type Command = [string, ...(string | number)[]];

/** Starts the fake on 127.0.0.1 with a free port, over one connection to `redisUrl`. */
export async function startFakeUpstash(opts: FakeUpstashOptions): Promise<FakeUpstash> {
  const token = opts.token ?? crypto.randomUUID();
  const redis = await connectRedisCommands(opts.redisUrl);
  let requests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (!authorized(req, url, token)) return Response.json({ error: WRONGPASS }, { status: 401 });
    requests++;
    const base64 = req.headers.get("upstash-encoding")?.toLowerCase() === "base64";
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      return Response.json({ error: "ERR failed to parse request body as JSON" }, { status: 400 });
    }
    if (req.method === "POST" && url.pathname === "/") {
      const reply = await run(redis, body, base64);
      return Response.json(reply, { status: "error" in reply ? 400 : 200 });
    }
    if (req.method === "POST" && url.pathname === "/pipeline") {
      if (!Array.isArray(body) || body.length === 0) {
        return Response.json({ error: "ERR a pipeline is a non-empty array of commands" }, {
          status: 400,
        });
      }
      const replies = [];
      // In order, each after the previous one's reply, as Upstash runs a pipeline.
      for (const command of body) replies.push(await run(redis, command, base64));
      return Response.json(replies);
    }
    return Response.json({ error: `ERR ${req.method} ${url.pathname} is not supported` }, {
      status: 404,
    });
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      await server.shutdown();
      await redis.close();
    })();
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    token,
    get requests() {
      return requests;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function authorized(req: Request, url: URL, token: string): boolean {
  const header = req.headers.get("authorization");
  return header === `Bearer ${token}` ||
    (header === null && url.searchParams.get("_token") === token);
}

/** Runs one command; a Redis error or a malformed command is `{error}`. */
async function run(
  redis: RedisCommands,
  command: unknown,
  base64: boolean,
): Promise<{ result: unknown } | { error: string }> {
  if (!isCommand(command)) {
    return { error: "ERR a command is a non-empty array of strings and numbers" };
  }
  const [name, ...args] = command;
  if (REFUSED.has(name.toUpperCase())) {
    return { error: `ERR ${name.toUpperCase()} is not supported over REST` };
  }
  try {
    const result = await redis.call(name, args);
    return { result: base64 ? encode(result) : result };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function isCommand(value: unknown): value is Command {
  return Array.isArray(value) && typeof value[0] === "string" && value[0] !== "" &&
    value.every((v) => typeof v === "string" || typeof v === "number");
}

/** Upstash's base64 reply encoding: strings (also inside arrays) as base64 of their UTF-8. */
function encode(value: unknown): unknown {
  if (typeof value === "string") {
    let binary = "";
    for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
    return btoa(binary);
  }
  if (Array.isArray(value)) return value.map(encode);
  return value;
}
