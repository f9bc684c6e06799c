/**
 * The Minerva client's stream handling against a scripted WebSocket server
 * that plays the server's side of protocol v1 frame by frame, for the
 * closes a real node produces only under load or failure: a slow-consumer
 * close (4008), an expired token (4401), `beyond_retention`, silence. The
 * same client against real nodes is in `tests/minerva_test.ts`.
 */
import assert from "node:assert/strict";
import {
  createMinervaClient,
  type MinervaEvent,
  type MinervaSubscription,
  type StreamStatus,
} from "./minerva_client.ts";

/** The server's side of one connection, as a script sees it. */
interface ScriptedConn {
  send(frame: unknown): void;
  /** The next frame the client sent (parsed). */
  next(): Promise<Record<string, unknown>>;
  close(code: number, reason: string): void;
}

type Script = (conn: ScriptedConn) => Promise<void>;

/** A server that runs `scripts[i]` on the i-th WebSocket; `/v1/auth/refresh` answers `renewed`. */
function scriptedServer(
  scripts: Script[],
  renewed?: { accessToken: string; refreshToken: string },
) {
  let connections = 0;
  const failures: unknown[] = [];
  const refreshes: string[] = [];
  const sockets = new Set<WebSocket>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (new URL(req.url).pathname === "/v1/auth/refresh") {
      refreshes.push((await req.json()).refreshToken);
      return renewed
        ? Response.json({ ...renewed, expiresIn: 900 })
        : Response.json({ error: { code: "unauthorized", message: "no" } }, { status: 401 });
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    sockets.add(socket);
    const script = scripts[connections++] ?? (() => new Promise<void>(() => {}));
    const inbox: Record<string, unknown>[] = [];
    const waiting: ((f: Record<string, unknown>) => void)[] = [];
    socket.onmessage = (m) => {
      const frame = JSON.parse(String(m.data));
      const w = waiting.shift();
      if (w) w(frame);
      else inbox.push(frame);
    };
    socket.onclose = () => sockets.delete(socket);
    socket.onopen = () => {
      script({
        send: (f) => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify(f)),
        next: () =>
          inbox.length > 0
            ? Promise.resolve(inbox.shift()!)
            : new Promise((resolve) => waiting.push(resolve)),
        close: (code, reason) => socket.close(code, reason),
      }).catch((e) => failures.push(e));
    };
    return response;
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    connections: () => connections,
    failures,
    refreshes,
    async close() {
      for (const s of sockets) s.close(1001, "test over");
      await server.shutdown();
    },
  };
}

const event = (position: number, type = "lead.captured") => ({
  type: "event",
  position,
  event: { actor: `lead/acme/l${position}`, seq: 1, type, version: 1, data: {}, at: position },
});

/** Authenticates and subscribes the client; returns its subscribe frame. */
async function handshake(conn: ScriptedConn, token: string) {
  assert.deepEqual(await conn.next(), { type: "auth", token });
  conn.send({ type: "ready", version: 1 });
  const subscribe = await conn.next();
  assert.equal(subscribe.type, "subscribe");
  return subscribe;
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function follow(
  url: string,
  opts: { token?: string; refreshToken?: string; staleAfterMs?: number } = {},
) {
  const client = createMinervaClient({
    baseUrl: url,
    token: opts.token ?? "t0",
    initialDelayMs: 10,
    maxDelayMs: 50,
    ...(opts.refreshToken ? { refreshToken: opts.refreshToken } : {}),
    ...(opts.staleAfterMs ? { staleAfterMs: opts.staleAfterMs } : {}),
  });
  const events: MinervaEvent[] = [];
  const statuses: StreamStatus[] = [];
  let fail: ((e: MinervaEvent) => boolean) | undefined;
  const sub: MinervaSubscription = client.subscribe({
    topics: ["tenant"],
    from: null,
    onEvent: (e) => {
      if (fail?.(e)) throw new Error(`cannot handle ${e.position}`);
      events.push(e);
    },
    onStatus: (s) => void statuses.push(s),
  });
  return {
    client,
    sub,
    events,
    statuses,
    failOn: (f: (e: MinervaEvent) => boolean) => void (fail = f),
    closed: () => statuses.find((s) => s.state === "closed"),
  };
}

Deno.test("minerva client: after a slow-consumer close (4008) it reconnects and resumes from the last position received, each event once", async () => {
  const subscribes: unknown[] = [];
  const server = scriptedServer([
    async (c) => {
      subscribes.push((await handshake(c, "t0")).from);
      for (const p of [1, 2, 3]) c.send(event(p));
      c.send({ type: "caught_up", position: 3 });
      c.send(event(4));
      c.send({ type: "closing", reason: "slow consumer; resume from 4" });
      c.close(4008, "slow consumer; resume from 4");
    },
    async (c) => {
      subscribes.push((await handshake(c, "t0")).from);
      // A server may send an overlap again; the client must not hand it on twice.
      for (const p of [4, 5, 6]) c.send(event(p));
      c.send({ type: "caught_up", position: 6 });
    },
  ]);
  const t = follow(server.url);
  try {
    await until(() => t.events.length >= 6, "six events");
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(t.events.map((e) => e.position), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(subscribes, [null, 4]);
    const reconnect = t.statuses.find((s) => s.state === "reconnecting");
    assert.equal(reconnect?.state === "reconnecting" && reconnect.code, 4008);
    assert.deepEqual(
      t.statuses.filter((s) => s.state === "live").map((s) => s.state === "live" && s.position),
      [3, 6],
    );
    assert.equal(t.sub.position, 6);
    assert.deepEqual(server.failures, []);
  } finally {
    t.client.close();
    await server.close();
  }
});

Deno.test("minerva client: a refused token (4401) is renewed with the refresh token and the stream resumes; without one it ends", async () => {
  const server = scriptedServer([
    async (c) => {
      assert.deepEqual(await c.next(), { type: "auth", token: "t0" });
      c.send({ type: "error", code: "unauthorized", message: "token expired", status: 401 });
      c.close(4401, "unauthorized");
    },
    async (c) => {
      assert.equal((await handshake(c, "t1")).from, null);
      c.send(event(1));
      c.send({ type: "caught_up", position: 1 });
    },
  ], { accessToken: "t1", refreshToken: "r1" });
  const t = follow(server.url, { refreshToken: "r0" });
  try {
    await until(() => t.events.length === 1, "event after renewal");
    assert.deepEqual(server.refreshes, ["r0"]);
    assert.equal(t.closed(), undefined);
    assert.deepEqual(server.failures, []);
  } finally {
    t.client.close();
    await server.close();
  }

  const bare = scriptedServer([async (c) => {
    await c.next();
    c.close(4401, "unauthorized");
  }]);
  const u = follow(bare.url);
  try {
    await until(() => u.closed() !== undefined, "closed for good");
    assert.match(String(u.closed()?.state === "closed" && u.closed()?.reason), /unauthorized/);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(bare.connections(), 1, "no reconnection after a final 4401");
  } finally {
    u.client.close();
    await bare.close();
  }
});

Deno.test("minerva client: beyond_retention ends the subscription; an onEvent that throws ends it at the last event handled", async () => {
  const server = scriptedServer([async (c) => {
    await handshake(c, "t0");
    c.send({ type: "error", code: "beyond_retention", message: "too old", status: 410 });
  }]);
  const t = follow(server.url);
  try {
    await until(() => t.closed() !== undefined, "closed");
    assert.match(String(t.closed()?.state === "closed" && t.closed()?.reason), /beyond_retention/);
  } finally {
    t.client.close();
    await server.close();
  }

  const second = scriptedServer([async (c) => {
    await handshake(c, "t0");
    for (const p of [1, 2, 3]) c.send(event(p));
  }]);
  const u = follow(second.url);
  u.failOn((e) => e.position === 2);
  try {
    await until(() => u.closed() !== undefined, "closed after onEvent threw");
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(u.events.map((e) => e.position), [1], "nothing after the failure");
    assert.equal(u.sub.position, 1);
    assert.equal(second.connections(), 1);
  } finally {
    u.client.close();
    await second.close();
  }
});

Deno.test("minerva client: a connection silent for longer than staleAfterMs is replaced, resuming where it was", async () => {
  const subscribes: unknown[] = [];
  const server = scriptedServer([
    async (c) => {
      subscribes.push((await handshake(c, "t0")).from);
      c.send(event(1));
      c.send({ type: "caught_up", position: 1 }); // then nothing, not even heartbeats
    },
    async (c) => {
      subscribes.push((await handshake(c, "t0")).from);
      c.send(event(2));
    },
  ]);
  const t = follow(server.url, { staleAfterMs: 200 });
  try {
    await until(() => t.events.length === 2, "event on the new connection");
    assert.deepEqual(subscribes, [null, 1]);
    assert.deepEqual(t.events.map((e) => e.position), [1, 2]);
  } finally {
    t.client.close();
    await server.close();
  }
});
