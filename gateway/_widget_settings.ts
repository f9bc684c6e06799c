/**
 * A site key's widget settings: which fields its form shows, their labels,
 * the thank-you message and whether it offers meeting times. An admin sets
 * them with the site key (`POST /v1/site-keys`, `PATCH /v1/site-keys/{id}`);
 * they are stored with the key (`site_keys.widget`) and the widget reads them
 * from `GET /v1/widget/config`.
 *
 * @module
 */
import { z } from "./openapi.ts";

/** Fields a widget form can show, in the one order it shows them. */
export const WIDGET_FIELDS = ["name", "email", "phone", "company", "message"] as const;

/** A field a widget form can show. */
export type WidgetField = (typeof WIDGET_FIELDS)[number];

/** What a site key without settings shows (the widget's own default). */
export const DEFAULT_WIDGET_FIELDS: readonly WidgetField[] = ["name", "email", "phone", "message"];

const Label = z.string().trim().min(1).max(80);

/**
 * The settings as an admin writes them; absent parts take the defaults. A
 * `PATCH` replaces the whole settings object, so what is sent is what holds.
 */
export const WidgetSettings = z.strictObject({
  fields: z.array(z.enum(WIDGET_FIELDS)).min(1, { abort: true }).max(WIDGET_FIELDS.length)
    // A lead needs an email or a phone (the server's rule), so a form must be able to ask for one.
    .refine((f) => f.includes("email") || f.includes("phone"), {
      message: "include email or phone: a lead needs one of them",
    })
    // One stable order whatever order they were sent in, so every page shows the same form.
    .transform((f) => WIDGET_FIELDS.filter((name) => f.includes(name)))
    .default([...DEFAULT_WIDGET_FIELDS])
    .openapi({ description: "Fields shown, from name, email, phone, company, message" }),
  labels: z.record(z.string(), Label).superRefine((labels, ctx) => {
    for (const key of Object.keys(labels)) {
      if (!(WIDGET_FIELDS as readonly string[]).includes(key)) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `unknown field ${JSON.stringify(key)}: expected one of ${WIDGET_FIELDS}`,
        });
      }
    }
  }).default({}).openapi({ description: "Labels replacing the default ones, per field" }),
  thankYou: z.string().trim().min(1).max(500).optional().openapi({
    description: "Shown after a submit (default: a generic thank-you)",
  }),
  booking: z.boolean().default(false).openapi({
    description: "Offer free meeting times; shown only while a team member has working hours",
  }),
}).superRefine((s, ctx) => {
  for (const key of Object.keys(s.labels)) {
    if ((WIDGET_FIELDS as readonly string[]).includes(key) && !s.fields.includes(key as never)) {
      ctx.addIssue({
        code: "custom",
        path: ["labels", key],
        message: `${key} is not among the fields shown`,
      });
    }
  }
}).openapi("WidgetSettings");

/** A site key's widget settings, defaults applied. */
export type WidgetSettings = z.infer<typeof WidgetSettings>;

/** The settings of a key that has none stored. */
export function defaultWidgetSettings(): WidgetSettings {
  return { fields: [...DEFAULT_WIDGET_FIELDS], labels: {}, booking: false };
}

/**
 * The settings stored for a key (JSON, or null for none). A stored value that
 * no longer parses (a field since removed) falls back to the defaults rather
 * than breaking every page the key is on.
 */
export function storedWidgetSettings(stored: unknown): WidgetSettings {
  if (stored === null || stored === undefined) return defaultWidgetSettings();
  const parsed = WidgetSettings.safeParse(stored);
  return parsed.success ? parsed.data : defaultWidgetSettings();
}
