/**
 * The delivery view's wording: channel names, a provider's mode and its
 * circuit breaker in plain words, so the state never rests on a colour.
 *
 * @module
 */

/** A channel's provider as `GET /v1/providers` answers it. */
export interface ProviderStatus {
  channel: string;
  provider: string;
  mode: "live" | "sandbox";
  breaker: {
    state: "closed" | "open" | "half_open";
    consecutiveFailures: number;
    /** Epoch ms; null while closed. */
    openedAt: number | null;
    /** Epoch ms; null unless open. */
    nextProbeAt: number | null;
  };
}

const CHANNELS: Record<string, string> = {
  sms: "SMS",
  email: "Email",
  ai: "AI",
  actor: "Between actors",
  notify: "Notifications",
  campaign_scan: "Campaign audience scans",
  campaign_enroll: "Campaign enrolments",
};

/** The channel's name for people (`sms` → `SMS`). */
export function channelLabel(channel: string): string {
  const words = channel.replaceAll("_", " ");
  return CHANNELS[channel] ?? words.charAt(0).toUpperCase() + words.slice(1);
}

/** The mode in words: a sandbox must never be mistaken for delivery. */
export function modeText(p: Pick<ProviderStatus, "mode" | "provider">): string {
  return p.mode === "sandbox"
    ? "Sandbox: messages are not delivered"
    : `Live: messages are delivered through ${p.provider}`;
}

/** A time with its zone named, in the browser's locale. */
export function timeText(ms: number, locale?: string, timeZone?: string): string {
  // dateStyle/timeStyle cannot be combined with timeZoneName: the parts are named instead.
  return new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(ms));
}

/** The breaker's state in words, with since/until when it has them. */
export function breakerText(
  b: ProviderStatus["breaker"],
  locale?: string,
  timeZone?: string,
): { label: string; detail: string } {
  const at = (ms: number) => timeText(ms, locale, timeZone);
  switch (b.state) {
    case "closed":
      return {
        label: "Closed",
        detail: b.consecutiveFailures > 0
          ? `Sending; ${b.consecutiveFailures} failed in a row`
          : "Sending normally",
      };
    case "open":
      return {
        label: "Open",
        detail: `Sending paused${b.openedAt ? ` since ${at(b.openedAt)}` : ""}${
          b.nextProbeAt ? `; next try ${at(b.nextProbeAt)}` : ""
        }`,
      };
    case "half_open":
      return {
        label: "Half-open",
        detail: `Trying one message to see whether the provider is back${
          b.openedAt ? ` (paused since ${at(b.openedAt)})` : ""
        }`,
      };
  }
}
