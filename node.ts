/**
 * One Cove node, wired from configuration: database (embedded or Postgres),
 * bus (in-process or Redis), actor system, reminder poller, outbox worker,
 * idle-actor sweep and the gateway. `main.ts` only adds the process around it
 * (signals, exit codes); tests start a node in-process through
 * {@link startCove}.
 *
 * @module
 */
import {
  ActorDispatcher,
  ActorSystem,
  type AnyActorType,
  type Bus,
  connectRedisCommands,
  connectUpstash,
  type Dispatcher,
  MemoryBus,
  type Migration,
  openDatabase,
  OutboxWorker,
  RedisBus,
  ReminderPoller,
  UpstashBus,
} from "./actors/runtime/mod.ts";
import { AiDraftDispatcher, createOpenAiClient, disabledAi } from "./actors/ai/mod.ts";
import { calendar } from "./actors/calendar/mod.ts";
import {
  ChannelDispatcher,
  channelMigrations,
  CircuitBreakers,
  GuardedDispatcher,
  limitsByPrefix,
  perDay,
  perMinute,
  PostgresGovernor,
  providerFromEnv,
} from "./actors/channels/mod.ts";
import { task, team, teamMigrations } from "./actors/team/mod.ts";
import { importJob, importMigrations, resumeRunningImports } from "./actors/import/mod.ts";
import { lead, leadMigrations, settings } from "./actors/lead/mod.ts";
import { Scheduler, schedulerMigrations } from "./actors/scheduler/mod.ts";
import { JOB_ACTOR_TYPES, scheduledJobs } from "./actors/jobs/mod.ts";
import {
  campaign,
  campaignDispatchers,
  campaignGovernorKeys,
  campaignLimits,
  campaignMigrations,
} from "./actors/campaign/mod.ts";
import { templateLibrary } from "./actors/templates/mod.ts";
import { analyticsMigrations, AnalyticsProjector, tenantZoneOf } from "./actors/analytics/mod.ts";
import {
  createApp,
  createTokenService,
  defaultLimits,
  demoOrigins,
  firstStart,
  GatewayMetrics,
  gatewayMigrations,
  MemoryRateLimitStore,
  mountRest,
  OneTimeCodes,
  PostgresApiKeyStore,
  providerStatusOf,
  rateLimit,
  type RateLimitStore,
  RedisRateLimitStore,
  serve,
  type Server,
  streamHead,
  StreamHub,
  streamRoutes,
  suggestion,
  tokenSecret,
  uiRoutes,
  unsubscribeRoutes,
  unsubscribeUrl,
  upgradeToStream,
  verifyStreamCredential,
  type VerifyStreamToken,
  webhookRoutes,
  widgetRoutes,
} from "./gateway/mod.ts";
import type { Config } from "./shared/mod.ts";

/** Every actor type this node hosts. */
export const ACTOR_TYPES: AnyActorType[] = [
  lead,
  settings,
  calendar,
  team,
  task,
  importJob,
  suggestion,
  campaign,
  templateLibrary,
  ...JOB_ACTOR_TYPES,
];

/** Migrations of the domain folders, applied after the runtime's own. */
async function domainMigrations(): Promise<Migration[]> {
  return [
    ...await leadMigrations(),
    ...await teamMigrations(),
    ...await importMigrations(),
    ...await channelMigrations(),
    ...await gatewayMigrations(),
    ...await schedulerMigrations(),
    ...await analyticsMigrations(),
    ...await campaignMigrations(),
  ];
}

/** The outbox dispatchers of providers (SMS, email, AI, ...), one per channel; none are built yet. Actor-to-actor messages are always dispatched. */
export const DISPATCHERS: Dispatcher[] = [];

/** A running node. */
export interface CoveNode {
  /** Base URL of the gateway, e.g. `http://localhost:8080`. */
  readonly url: string;
  /** The port actually bound (differs from the configured one when that is 0). */
  readonly port: number;
  readonly nodeId: string;
  /** Which database the node journals to. */
  readonly mode: "embedded" | "postgres";
  /**
   * Graceful stop: readiness fails first, then HTTP stops taking work and
   * finishes requests in flight, pollers stop, actors finish their turns and
   * snapshot, and the bus and database close. Idempotent.
   */
  stop(): Promise<void>;
}

/** Options of {@link startCove}. */
export interface StartOptions {
  /** Where informational lines go (default `console.log`, silenced above LOG_LEVEL=info). */
  log?: (line: string) => void;
  /** Where the UI bundles are served from (default ui/dist); tests point it at a private build. */
  uiDist?: URL;
}

/** Starts every part of a node; on failure closes whatever had started and rethrows. */
export async function startCove(config: Config, options: StartOptions = {}): Promise<CoveNode> {
  const log = options.log ??
    (config.LOG_LEVEL === "debug" || config.LOG_LEVEL === "info"
      ? (line: string) => console.log(line)
      : () => {});
  // Undo steps for what has started so far, run newest first.
  const undo: Array<() => Promise<void>> = [];
  const unwind = async () => {
    for (const step of undo.reverse()) {
      await step().catch((e) => console.error("cove: error while stopping:", e));
    }
  };
  let stopping = false;
  try {
    const dataDir = `${config.DATA_DIR}/pg`;
    const web = webConfig(config.PORT, log);
    const migrations = await domainMigrations();
    const db = await openDatabase(
      config.DATABASE_URL ? { url: config.DATABASE_URL, migrations } : { dataDir, migrations },
    );
    undo.push(() => db.close());

    const bus: Bus = await openBus(config);
    undo.push(() => bus.close());

    const system = new ActorSystem({
      database: db,
      types: ACTOR_TYPES,
      bus,
      ...(config.NODE_ID ? { nodeId: config.NODE_ID } : {}),
      askTimeout: config.ASK_TIMEOUT_MS,
      idleTimeout: config.IDLE_TIMEOUT_MS,
      mailboxLimit: config.MAILBOX_LIMIT,
      snapshotEvery: config.SNAPSHOT_EVERY,
    });
    undo.push(() => system.shutdown(config.SHUTDOWN_TIMEOUT_MS));

    const reminders = new ReminderPoller(system, { intervalMs: config.REMINDER_POLL_MS });
    // Without a key the AI is visibly off: drafts fall back to templates, qualification to rules.
    const ai = config.OPENAI_API_KEY
      ? createOpenAiClient({
        apiKey: config.OPENAI_API_KEY,
        model: config.OPENAI_MODEL,
        ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
      })
      : disabledAi;
    // SMS and email: live providers when their credentials are set, else a visible sandbox that
    // records what would have gone out. Breakers per provider; caps shared through Postgres.
    const providers = providerFromEnv(Deno.env.toObject(), { clock: system.clock });
    const breakers = new CircuitBreakers();
    const governor = new PostgresGovernor(
      db.sql,
      // Per tenant, and per sending account (one number or domain each; 10DLC-like caps); a
      // campaign's step messages also meet its own per-minute throttle.
      campaignLimits(limitsByPrefix({
        tenant: [perMinute(600), perDay(20_000)],
        smsSender: [perMinute(60), perDay(2_000)],
        emailSender: [perMinute(600), perDay(50_000)],
      })),
    );
    const channels = (["sms", "email"] as const).map((channel) =>
      new GuardedDispatcher(
        new ChannelDispatcher({
          channel,
          provider: providers[channel],
          sql: db.sql,
          clock: system.clock,
          // Twilio drops a repeated idempotency token; SendGrid has none.
          providerDedupes: providers[channel].name === "twilio",
          ...(channel === "email"
            ? {
              unsubscribeUrl: (tenant: string, address: string) =>
                unsubscribeUrl(web.publicUrl, web.secret, tenant, address),
            }
            : {}),
        }),
        {
          clock: system.clock,
          breaker: breakers.for(providers[channel].name),
          governor,
          keys: (m) => [
            `tenant:${m.tenant}`,
            `${channel}Sender:${providers[channel].name}`,
            ...campaignGovernorKeys(m),
          ],
        },
      )
    );
    const outbox = new OutboxWorker(system, [
      new ActorDispatcher(system),
      new AiDraftDispatcher(ai),
      ...campaignDispatchers(system, db.sql),
      ...channels,
      ...DISPATCHERS,
    ], {
      intervalMs: config.OUTBOX_POLL_MS,
    });
    reminders.start();
    outbox.start();
    undo.push(() => Promise.all([reminders.stop(), outbox.stop()]).then(() => {}));

    // Cron jobs in each tenant's zone; every node ticks, one claims each occurrence.
    const scheduler = new Scheduler({
      sql: db.sql,
      clock: system.clock,
      nodeId: system.nodeId,
      jobs: scheduledJobs({ system, ai, log }, {
        crons: {
          ...(config.CRON_DAILY_VALIDATION
            ? { dailyValidation: config.CRON_DAILY_VALIDATION }
            : {}),
          ...(config.CRON_WEEKLY_REPORT ? { weeklyReport: config.CRON_WEEKLY_REPORT } : {}),
          ...(config.CRON_HEALTH_CHECK ? { healthCheck: config.CRON_HEALTH_CHECK } : {}),
          ...(config.CRON_FOLLOW_UP_SWEEP ? { followUpSweep: config.CRON_FOLLOW_UP_SWEEP } : {}),
        },
      }),
    });
    scheduler.start(config.SCHEDULER_TICK_MS);
    undo.push(() => scheduler.stop());

    // Analytics folded from the journal as it commits; the first catch-up runs in the background
    // so a large journal does not hold up the start (the report says how far it has folded).
    const projector = new AnalyticsProjector({ sql: db.sql, bus, zoneOf: tenantZoneOf(system) });
    void projector.start().catch((e) => console.error("cove: analytics:", e));
    undo.push(() => projector.stop());

    // Import drivers do not survive a restart: pick up the jobs left running.
    void resumeRunningImports(system).then((jobs) => {
      for (const j of jobs) {
        if (!j.ok) console.error(`cove: import ${j.importId} stopped:`, j.error);
      }
    }, (e) => console.error("cove: resuming imports failed:", e));

    // Imports started over REST: shutdown gives them the turn timeout, then they resume at next start.
    const importDrivers = new Set<Promise<unknown>>();
    undo.push(() => settleWithin([...importDrivers], config.SHUTDOWN_TIMEOUT_MS));

    const sweep = startIdleSweep(system, Math.max(1_000, config.IDLE_TIMEOUT_MS / 4));
    undo.push(sweep.stop);

    // Live streams: every node serves its own subscribers from the shared bus and journal.
    const tokens = createTokenService({
      secret: await tokenSecret(config.DATA_DIR),
      clock: system.clock,
    });
    // An access token, or a single-use ticket from POST /v1/auth/ticket (EventSource sets no headers).
    const verify: VerifyStreamToken = verifyStreamCredential(
      new OneTimeCodes(db.sql, system.clock),
      async (token) => ({ tenant: (await tokens.verify(token, { typ: "access" })).tenant }),
    );
    const hub = new StreamHub({ bus, journal: system.journal });
    // Rate limits: one count per client across nodes needs a shared store (see gateway/rate_limit.ts).
    const rateLimits: RateLimitStore = await openRateLimits(config, undo);
    undo.push(() => hub.close());
    const limiter = rateLimit({
      store: rateLimits,
      limitFor: limitsFrom(config),
      clock: system.clock,
    });
    const metrics = new GatewayMetrics({
      streamConnections: () => hub.connectionCount,
      activeActors: () => system.activeCount,
      deadLetters: async () =>
        (await db.sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM outbox WHERE status = 'dead'`)[0]?.n ?? 0,
    });

    const app = createApp({
      health: {
        ping: () => db.ping(),
        ...(config.REDIS_URL ? { busPing: () => pingBus(bus, system.nodeId) } : {}),
        isShuttingDown: () => stopping,
      },
      routes: (app) => {
        // First, so it times every route below (the health probes above it are not counted).
        app.use("*", metrics.middleware());
        app.route("/", metrics.routes());
        // The dashboard at `/` (also at `/signin`, where sign-in links point), /widget.js, /ui/*.
        app.route(
          "/",
          uiRoutes({
            verify,
            head: (tenant) => streamHead(db.sql, tenant),
            ...(options.uiDist ? { distDir: options.uiDist } : {}),
          }),
        );
        mountRest(app, {
          system,
          tokens,
          apiKeys: new PostgresApiKeyStore(db.sql),
          providerStatus: providerStatusOf(providers, breakers),
          limiter,
          ai,
          track: (driver) => {
            importDrivers.add(driver);
            void driver.finally(() => importDrivers.delete(driver));
          },
        });
        app.route(
          "/v1/widget",
          widgetRoutes({ system, limiter, onBot: (reason) => metrics.botDropped(reason) }),
        );
        app.route(
          "/v1/stream",
          streamRoutes({
            hub,
            verify,
            upgradeWebSocket: (req) => upgradeToStream(req, hub, verify),
          }),
        );
        app.route(
          "/webhooks",
          webhookRoutes({
            system,
            publicUrl: web.publicUrl,
            inboundSecret: web.secret,
            ...(web.twilioAuthToken ? { twilioAuthToken: web.twilioAuthToken } : {}),
            ...(web.sendgridPublicKey ? { sendgridPublicKey: web.sendgridPublicKey } : {}),
          }),
        );
        app.route("/u", unsubscribeRoutes({ system, secret: web.secret }));
      },
    });
    const server = serve(app, { port: config.PORT, hostname: config.HOST });
    undo.push(() => stopServer(server, config.SHUTDOWN_TIMEOUT_MS));

    const host = displayHost(config.HOST);
    const url = `http://${host}:${server.port}`;
    const details = [
      ...(host === config.HOST ? [] : [`bound to ${config.HOST}`]),
      db.kind === "embedded" ? `embedded database in ${dataDir}` : "postgres",
      `bus: ${config.REDIS_URL ? "redis" : "in-process"}`,
      `ai: ${config.OPENAI_API_KEY ? config.OPENAI_MODEL : "off (no OPENAI_API_KEY)"}`,
      `sms: ${
        providers.sms.mode === "sandbox" ? "SANDBOX (nothing is delivered)" : providers.sms.name
      }`,
      `email: ${
        providers.email.mode === "sandbox" ? "SANDBOX (nothing is delivered)" : providers.email.name
      }`,
    ];
    // An empty database gets tenant `demo` and a one-time admin sign-in link (gateway/bootstrap.ts).
    const publicUrl = Deno.env.get("PUBLIC_URL")?.replace(/\/+$/, "") || url;
    const first = await firstStart({
      sql: db.sql,
      publicUrl,
      allowedOrigins: demoOrigins([url, publicUrl]),
      clock: system.clock,
    });
    log(`cove: node ${system.nodeId} listening on ${url} (${details.join("; ")})`);
    if (first.state === "created") {
      // Printed whatever LOG_LEVEL says: it is the one way in on a new install.
      (options.log ?? ((line: string) => console.log(line)))(
        `cove: first start: created tenant ${first.tenant} with widget site key ${first.siteKey}; ` +
          `sign in as its admin (one-time link, valid 24 h): ${first.signinUrl}`,
      );
    }

    let stopped: Promise<void> | undefined;
    return {
      url,
      port: server.port,
      nodeId: system.nodeId,
      mode: db.kind,
      stop: () =>
        stopped ??= (() => {
          stopping = true;
          return unwind();
        })(),
    };
  } catch (e) {
    stopping = true;
    await unwind();
    throw e;
  }
}

/**
 * Webhook and unsubscribe settings. Read from `Deno.env` directly, not
 * through `Config`: that schema has another owner, and these are all
 * optional (an unset provider key turns its webhook off with a 503).
 */
function webConfig(port: number, log: (line: string) => void) {
  const env = (name: string) => Deno.env.get(name) || undefined;
  let secret = env("WEBHOOK_SECRET");
  if (!secret) {
    // Links still work while this process lives; a restart invalidates them.
    secret = crypto.randomUUID() + crypto.randomUUID();
    log(
      "cove: WEBHOOK_SECRET not set; using a per-process secret, so unsubscribe links and " +
        "inbound-parse URLs stop working after a restart",
    );
  }
  return {
    publicUrl: (env("PUBLIC_URL") ?? `http://localhost:${port}`).replace(/\/+$/, ""),
    twilioAuthToken: env("TWILIO_AUTH_TOKEN"),
    sendgridPublicKey: env("SENDGRID_WEBHOOK_PUBLIC_KEY"),
    secret,
  };
}

/** Passivates idle actors every `everyMs`; a slow sweep is never overlapped by the next. */
function startIdleSweep(system: ActorSystem, everyMs: number): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= system.passivateIdle()
      .catch((e) => console.error("cove: idle sweep failed:", e))
      .finally(() => running = undefined);
  }, everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/** Waits for `work` to settle, at most `ms`. */
async function settleWithin(work: Promise<unknown>[], ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  try {
    await Promise.race([Promise.allSettled(work), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stops HTTP, waiting for requests in flight at most `ms` so a stuck client cannot hold shutdown. */
async function stopServer(server: Server, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.error(`cove: HTTP requests still running after ${ms} ms; going on with shutdown`);
      resolve();
    }, ms);
  });
  try {
    await Promise.race([server.shutdown(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The bus: over Upstash REST when `UPSTASH_REDIS_REST_*` is set (delivering
 * through a RedisBus on `REDIS_URL` if there is one, else in process only),
 * over Redis with `REDIS_URL` alone, else in process.
 */
async function openBus(config: Config): Promise<Bus> {
  const subscriber = config.REDIS_URL ? await RedisBus.connect(config.REDIS_URL) : undefined;
  const upstash = upstashOf(config);
  if (!upstash) return subscriber ?? new MemoryBus();
  try {
    return new UpstashBus(await connectUpstash(upstash), { subscriber });
  } catch (error) {
    await subscriber?.close();
    throw error;
  }
}

/**
 * Rate limits counted where every node sees them: Upstash REST, else Redis,
 * else (one node) in memory. A connection opened here is undone on stop.
 */
async function openRateLimits(
  config: Config,
  undo: Array<() => Promise<void>>,
): Promise<RateLimitStore> {
  const upstash = upstashOf(config);
  if (!upstash && !config.REDIS_URL) return new MemoryRateLimitStore();
  const client = upstash
    ? await connectUpstash(upstash)
    : await connectRedisCommands(config.REDIS_URL!);
  undo.push(() => client.close());
  return new RedisRateLimitStore(client);
}

function upstashOf(config: Config): { url: string; token: string } | undefined {
  const { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token } = config;
  return url && token ? { url, token } : undefined;
}

/** The per-minute limits from configuration (0 turns one off). */
function limitsFrom(config: Config) {
  return defaultLimits({
    limits: {
      default: config.RATE_LIMIT_DEFAULT,
      ai: config.RATE_LIMIT_AI,
      widget: config.RATE_LIMIT_WIDGET,
    },
  });
}

/**
 * A round trip to the shared bus. The Bus port has no health check, so this
 * publishes a heartbeat on a topic of its own, which no tenant stream carries.
 */
function pingBus(bus: Bus, nodeId: string): Promise<boolean> {
  return bus.publish(`health:${nodeId}`, [{
    tenant: "_system",
    position: 0,
    actor: `node/_system/${nodeId}`,
    seq: 0,
    type: "node.heartbeat",
    version: 1,
    data: null,
    at: Date.now(),
  }]).then(() => true);
}

/** A host to put in a URL: wildcard binds are reached through localhost. */
function displayHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}
