/**
 * The form's settings from the gateway (`GET /v1/widget/config`): which
 * fields to show and with which labels, the thank-you message, and whether to
 * offer meeting times. Read once per page load and site key; when the call
 * fails (or hangs) the form still works with the defaults, so a visitor can
 * always leave their details.
 *
 * @module
 */

/** Fields a form can show, in the one order it shows them (`WIDGET_FIELDS` on the server). */
export const FORM_FIELDS = ["name", "email", "phone", "company", "message"] as const;

/** A field a form can show. */
export type FormField = (typeof FORM_FIELDS)[number];

/** The form's settings, as the widget uses them. */
export interface WidgetConfig {
  fields: FormField[];
  labels: Record<FormField, string>;
  /** The thank-you message (the tenant's, else a default). */
  thankYou: string;
  /** Whether to offer meeting times. */
  booking: boolean;
}

/** Labels of fields the site key did not relabel. */
export const DEFAULT_LABELS: Readonly<Record<FormField, string>> = {
  name: "Name",
  email: "Email",
  phone: "Phone",
  company: "Company",
  message: "How can we help?",
};

/** What a visitor reads after a submit when the tenant set no message. */
export const DEFAULT_THANK_YOU = "We got your details and will be in touch soon.";

/** Fields shown without settings: the `fields` attribute's, else these. */
export const DEFAULT_FIELDS = "name,email,phone,message";

/** How long the form waits for its settings before it shows the defaults. */
export const CONFIG_TIMEOUT_MS = 5_000;

/** The known fields of a comma list (or array), in the stable order; all of them when none is. */
export function pickFields(wanted: string | readonly unknown[]): FormField[] {
  const list = typeof wanted === "string" ? wanted.split(",").map((f) => f.trim()) : wanted;
  const picked = FORM_FIELDS.filter((f) => list.includes(f));
  return picked.length > 0 ? picked : [...FORM_FIELDS];
}

/**
 * The settings from a config answer, read defensively (an older gateway
 * sends fewer keys). The key's fields when it has settings; otherwise (or
 * with no answer) `fallbackFields`, the page's `fields` attribute.
 */
export function readConfig(raw: unknown, fallbackFields = DEFAULT_FIELDS): WidgetConfig {
  const o = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const labels = { ...DEFAULT_LABELS };
  if (o.labels && typeof o.labels === "object") {
    for (const [k, v] of Object.entries(o.labels)) {
      if ((FORM_FIELDS as readonly string[]).includes(k) && typeof v === "string" && v.trim()) {
        labels[k as FormField] = v.trim();
      }
    }
  }
  return {
    fields: pickFields(
      o.configured !== false && Array.isArray(o.fields) && o.fields.length > 0
        ? o.fields
        : fallbackFields,
    ),
    labels,
    thankYou: typeof o.thankYou === "string" && o.thankYou.trim() ? o.thankYou : DEFAULT_THANK_YOU,
    booking: o.booking === true,
  };
}

const loaded = new Map<string, Promise<unknown>>();

/**
 * The config answer for `siteKey` at `base` (the gateway's origin), asked
 * once per page and key however many forms there are; `null` when it could
 * not be read in time. Never rejects.
 */
export function fetchConfig(
  base: string,
  siteKey: string,
  fetchFn: typeof fetch = fetch,
  timeoutMs = CONFIG_TIMEOUT_MS,
): Promise<unknown> {
  const url = `${base}/v1/widget/config?site_key=${encodeURIComponent(siteKey)}`;
  let answer = loaded.get(url);
  if (!answer) {
    answer = getJson(url, fetchFn, timeoutMs);
    loaded.set(url, answer);
  }
  return answer;
}

/** GETs `url` as JSON within `timeoutMs`; null on any failure. Never rejects. */
export async function getJson(
  url: string,
  fetchFn: typeof fetch = fetch,
  timeoutMs = CONFIG_TIMEOUT_MS,
): Promise<unknown> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const res = await fetchFn(url, { signal: abort.signal });
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
