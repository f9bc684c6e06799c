/**
 * The sandbox provider and the choice of providers from the environment. With
 * no Twilio or SendGrid credentials a channel runs in sandbox: messages are
 * recorded, never delivered, and every result says `sandbox: true`, so the
 * outbox records a sandbox send instead of pretending the lead was reached.
 *
 * @module
 */
import { type Clock, ConfigError, type FieldIssue, systemClock } from "../../shared/mod.ts";
import {
  type MessageProvider,
  type OutboundMessage,
  type ProviderResult,
  smsSegments,
} from "./provider.ts";
import { createSendGridProvider } from "./sendgrid.ts";
import { createTwilioProvider } from "./twilio.ts";

/** A message the sandbox took instead of sending. */
export interface SandboxRecord extends OutboundMessage {
  /** When it was taken, epoch ms. */
  at: number;
  /** The id the sandbox answered with, `sandbox-<key>`. */
  providerId: string;
}

/** Options of {@link SandboxProvider}. */
export interface SandboxOptions {
  /** When set, messages of the other channel are rejected, as a live provider would. */
  channel?: "sms" | "email";
  /** Most records kept; the oldest go first (default 1,000). */
  limit?: number;
  /** Stamps records; default the wall clock. */
  clock?: Clock;
}

/** A provider that records messages instead of delivering them. */
export class SandboxProvider implements MessageProvider {
  /** Always `sandbox`. */
  readonly name = "sandbox";
  /** Always `sandbox`: nothing leaves the process. */
  readonly mode = "sandbox" as const;
  // Keyed by idempotency key: a retried send is one record, as a provider that dedupes keeps one message.
  readonly #records = new Map<string, SandboxRecord>();
  readonly #limit: number;
  readonly #clock: Clock;

  /** Records up to `opts.limit` messages of `opts.channel` (or of both channels). */
  constructor(readonly opts: SandboxOptions = {}) {
    this.#limit = opts.limit ?? 1_000;
    this.#clock = opts.clock ?? systemClock;
  }

  /** Records the message (once per idempotency key) and answers with `sandbox: true`. */
  send(req: OutboundMessage): Promise<ProviderResult> {
    if (this.opts.channel && req.channel !== this.opts.channel) {
      return Promise.resolve({
        ok: false,
        kind: "rejected",
        detail: `this sandbox takes ${this.opts.channel}, not ${req.channel}`,
      });
    }
    const providerId = `sandbox-${req.idempotencyKey}`;
    if (!this.#records.has(req.idempotencyKey)) {
      this.#records.set(req.idempotencyKey, { ...req, at: this.#clock.now(), providerId });
      for (const key of this.#records.keys()) {
        if (this.#records.size <= this.#limit) break;
        this.#records.delete(key);
      }
    }
    return Promise.resolve({
      ok: true,
      providerId,
      ...(req.channel === "sms" ? { segments: smsSegments(req.body) } : {}),
      sandbox: true,
    });
  }

  /** What would have been sent, oldest first (at most `limit`). */
  sent(): SandboxRecord[] {
    return [...this.#records.values()];
  }

  /** Forgets every record. */
  clear(): void {
    this.#records.clear();
  }
}

/** The provider of each message channel. */
export interface ChannelProviders {
  /** Twilio, or a sandbox. */
  sms: MessageProvider;
  /** SendGrid, or a sandbox. */
  email: MessageProvider;
}

/** Options of {@link providerFromEnv}. */
export interface ProviderEnvOptions {
  /** Per-send timeout of live providers, ms (default 10,000). */
  timeoutMs?: number;
  /** For sandbox records and `Retry-After` dates; default the wall clock. */
  clock?: Clock;
}

const TWILIO_VARS = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"] as const;
const SENDGRID_VARS = ["SENDGRID_API_KEY", "SENDGRID_FROM"] as const;

/**
 * Picks each channel's provider from an environment map: Twilio when
 * `TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN` and `TWILIO_FROM` are set,
 * SendGrid when `SENDGRID_API_KEY` and `SENDGRID_FROM` are set (optionally
 * `TWILIO_BASE_URL` / `SENDGRID_BASE_URL` for another endpoint), else a
 * sandbox for that channel. Only some of a provider's variables set is a
 * {@link ConfigError}: a typo must not quietly turn live sending into a sandbox.
 */
export function providerFromEnv(
  env: Record<string, string | undefined>,
  opts: ProviderEnvOptions = {},
): ChannelProviders {
  const get = (name: string) => env[name] === "" ? undefined : env[name];
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const clock = opts.clock ?? systemClock;
  const issues: FieldIssue[] = [...partial(TWILIO_VARS, get), ...partial(SENDGRID_VARS, get)];
  if (issues.length > 0) throw new ConfigError(issues);
  const sms = get("TWILIO_ACCOUNT_SID")
    ? withVariableNames(() =>
      createTwilioProvider({
        accountSid: get("TWILIO_ACCOUNT_SID")!,
        authToken: get("TWILIO_AUTH_TOKEN")!,
        from: get("TWILIO_FROM")!,
        ...(get("TWILIO_BASE_URL") ? { baseUrl: get("TWILIO_BASE_URL") } : {}),
        timeoutMs,
        clock,
      }), {
      accountSid: "TWILIO_ACCOUNT_SID",
      from: "TWILIO_FROM",
      baseUrl: "TWILIO_BASE_URL",
    })
    : new SandboxProvider({ channel: "sms", clock });
  const email = get("SENDGRID_API_KEY")
    ? withVariableNames(() =>
      createSendGridProvider({
        apiKey: get("SENDGRID_API_KEY")!,
        from: get("SENDGRID_FROM")!,
        ...(get("SENDGRID_BASE_URL") ? { baseUrl: get("SENDGRID_BASE_URL") } : {}),
        timeoutMs,
        clock,
      }), { from: "SENDGRID_FROM", baseUrl: "SENDGRID_BASE_URL" })
    : new SandboxProvider({ channel: "email", clock });
  return { sms, email };
}

function partial(
  vars: readonly string[],
  get: (name: string) => string | undefined,
): FieldIssue[] {
  const missing = vars.filter((v) => get(v) === undefined);
  if (missing.length === 0 || missing.length === vars.length) return [];
  const set = vars.filter((v) => !missing.includes(v)).join(", ");
  return missing.map((v) => ({ path: v, message: `required when ${set} is set` }));
}

// The factories name their options; configuration errors should name the variables.
function withVariableNames(
  make: () => MessageProvider,
  vars: Record<string, string>,
): MessageProvider {
  try {
    return make();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const issues = (e.details.issues as FieldIssue[]).map((i) => ({
      ...i,
      path: vars[i.path] ?? i.path,
    }));
    throw new ConfigError(issues);
  }
}
