/**
 * The capture form's validation, in the browser: the rules of the server's
 * `WidgetLead` schema (gateway/widget_api.ts, built on `ContactInput` in
 * shared/lead.ts) written without zod, which would triple the widget's size.
 * `rules_test.ts` runs both over the same inputs so they cannot drift apart.
 *
 * @module
 */

/** The server's bot checks (MIN_FILL_MS and HONEYPOT_FIELD in gateway/widget_api.ts). */
export const BOT_CHECKS = { minFillMs: 2_000, honeypotField: "website" } as const;

/** zod 4's email pattern (`z.email()`), which the server applies after trimming. */
export const EMAIL_PATTERN =
  /^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/;

/** The fields a person types; all optional as typed, checked by {@link validateLeadForm}. */
export interface LeadFormInput {
  name?: string;
  email?: string;
  phone?: string;
  company?: string;
  message?: string;
}

/** The form's fields once checked: trimmed, empty ones left out. */
export type LeadFormFields = { -readonly [K in keyof LeadFormInput]?: string };

/** A field the form shows, or `form` for a rule over several fields. */
export type LeadFormField = keyof LeadFormInput | "form";

/** The checked fields, or what is wrong with which field (messages meant for people). */
export type LeadFormCheck =
  | { ok: true; fields: LeadFormFields }
  | { ok: false; errors: Partial<Record<LeadFormField, string>> };

/** Trimmed lengths the server accepts, per field (`min` after trimming; `message` is not trimmed). */
export const FIELD_LIMITS = {
  name: { min: 1, max: 200 },
  email: { min: 1, max: 254 },
  phone: { min: 3, max: 40 },
  company: { min: 1, max: 200 },
  message: { min: 1, max: 5000 },
} as const;

/** What a person is told when neither an email nor a phone was given. */
export const NEED_CONTACT = "Give an email or a phone number so we can reach you.";

/**
 * Checks a typed form as the server will. Blank fields are left out (the
 * server would refuse an empty name), so a form only fails on what a person
 * actually typed, or on giving no way to reach them.
 */
export function validateLeadForm(input: LeadFormInput): LeadFormCheck {
  const fields: LeadFormFields = {};
  const errors: Partial<Record<LeadFormField, string>> = {};
  for (const key of ["name", "email", "phone", "company"] as const) {
    const value = (input[key] ?? "").trim();
    if (value === "") continue;
    const { min, max } = FIELD_LIMITS[key];
    if (value.length < min) {
      errors[key] = `${label(key)} is too short (at least ${min} characters).`;
    } else if (value.length > max) errors[key] = `${label(key)} is too long (at most ${max}).`;
    else if (key === "email" && !EMAIL_PATTERN.test(value)) {
      errors[key] = "Enter an email address such as name@example.com.";
    } else fields[key] = value;
  }
  // The server keeps the message as typed, so only its length is checked.
  const message = input.message ?? "";
  if (message.trim() !== "") {
    if (message.length > FIELD_LIMITS.message.max) {
      errors.message = `Message is too long (at most ${FIELD_LIMITS.message.max} characters).`;
    } else fields.message = message;
  }
  if (!errors.email && !errors.phone && !fields.email && !fields.phone) errors.form = NEED_CONTACT;
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, fields };
}

function label(key: keyof LeadFormInput): string {
  return key === "email" ? "Email" : key[0]!.toUpperCase() + key.slice(1);
}
