/**
 * Configuration: one zod schema over the environment. A bad value stops
 * start-up with a message naming the variable and what it expects.
 *
 * @module
 */
/**
 * zod's types are documented by zod. Without this tag deno doc flags each one
 * in a public signature here as a private type (denoland/deno#27364).
 *
 * @internal
 */
import { z } from "zod";
import { ConfigError, fieldIssues } from "./errors.ts";

const ms = (def: number) => z.coerce.number().int().positive().default(def);
// Requests per minute; 0 turns that limit off.
const perMinute = (def: number) => z.coerce.number().int().min(0).default(def);

/** The environment variables Cove reads, with their defaults. */
export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, _ . - (1-64)")
    .optional(),
  NODE_TAGS: z.string().default("").transform((s) =>
    s.split(",").map((t) => t.trim()).filter(Boolean)
  ).pipe(z.array(z.string().regex(/^[a-z0-9-]+$/, "tags are lowercase words"))),
  ASK_TIMEOUT_MS: ms(5_000),
  IDLE_TIMEOUT_MS: ms(300_000),
  SNAPSHOT_EVERY: z.coerce.number().int().positive().default(100),
  MAILBOX_LIMIT: z.coerce.number().int().positive().default(1_000),
  SHUTDOWN_TIMEOUT_MS: ms(10_000),
  REMINDER_POLL_MS: ms(1_000),
  OUTBOX_POLL_MS: ms(1_000),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  OPENAI_API_KEY: z.string().min(10).optional(),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
  RATE_LIMIT_DEFAULT: perMinute(300),
  RATE_LIMIT_AI: perMinute(500),
  RATE_LIMIT_WIDGET: perMinute(50),
  UPSTASH_REDIS_REST_URL: z.url({ protocol: /^https?$/ }).optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),
  // Scheduled jobs: how often a node looks for due occurrences, and per-job cron overrides
  // (croner syntax, 5 fields or 6 with seconds; checked at start-up). Unset means the default.
  SCHEDULER_TICK_MS: ms(15_000),
  CRON_DAILY_VALIDATION: z.string().min(1).optional(),
  CRON_WEEKLY_REPORT: z.string().min(1).optional(),
  CRON_HEALTH_CHECK: z.string().min(1).optional(),
  CRON_FOLLOW_UP_SWEEP: z.string().min(1).optional(),
}).superRefine((c, ctx) => {
  // One without the other is a half-configured deployment, not a choice.
  for (
    const [set, missing] of [
      ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
      ["UPSTASH_REDIS_REST_TOKEN", "UPSTASH_REDIS_REST_URL"],
    ] as const
  ) {
    if (c[set] !== undefined && c[missing] === undefined) {
      ctx.addIssue({ code: "custom", path: [missing], message: `required with ${set}` });
    }
  }
});

/** Validated configuration. */
export type Config = z.infer<typeof ConfigSchema>;

/** Reads configuration from an environment map; throws {@link ConfigError} naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== "") input[key] = v;
  }
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      fieldIssues(parsed.error.issues).map((i) => ({
        path: i.path,
        message: `${i.message} (got ${JSON.stringify(input[i.path.split(".")[0] ?? ""])})`,
      })),
    );
  }
  return parsed.data;
}
