/**
 * Template preview: a template (saved or inline) rendered for a real lead of
 * the tenant or for a built-in sample contact, with the variables that
 * contact had no value for, so an author sees "Hi there" or a missing company
 * before a lead does.
 *
 * @module
 */
import {
  type MessageChannel,
  NotFoundError,
  type PreviewTemplate,
  renderTemplate,
  type TemplatePreview,
  type TemplateVariable,
  templateVariables,
} from "../../shared/mod.ts";
import { lead } from "../lead/mod.ts";
import type { ActorSystem } from "../runtime/mod.ts";
import { findTemplate } from "./template_library.ts";

/** The contact fields templates draw on. */
export interface TemplateContact {
  /** Full name; `firstName` is its first word. */
  name?: string | undefined;
  company?: string | undefined;
  businessType?: string | undefined;
}

/** Who a preview without a lead is rendered for. */
export const SAMPLE_CONTACT: Readonly<TemplateContact> = {
  name: "Rosa Diaz",
  company: "Rosa's Bakery",
  businessType: "bakery",
};

/** The variable values of a contact, as a lead's own messages fill them. */
export function templateValues(c: TemplateContact): Partial<Record<TemplateVariable, string>> {
  const firstName = c.name?.trim().split(/\s+/)[0];
  return {
    ...(c.name ? { name: c.name } : {}),
    ...(firstName ? { firstName } : {}),
    ...(c.company ? { company: c.company } : {}),
    ...(c.businessType ? { businessType: c.businessType } : {}),
  };
}

/** 404 for a template the caller's tenant does not have. */
export class TemplateNotFound extends NotFoundError {
  /** `id` as the caller gave it. */
  constructor(id: string) {
    super(`template ${id}`);
  }
}

/** Renders `t` for `contact`, naming the variables that had no value. */
export function renderPreview(
  t: { channel: MessageChannel; subject?: string | undefined; body: string },
  contact: TemplateContact,
  source: { source: "lead"; leadId: string } | { source: "sample" },
): TemplatePreview {
  const values = templateValues(contact);
  const used = new Set([...templateVariables(t.subject ?? ""), ...templateVariables(t.body)]);
  const missing = [...used].filter((v) => !(v in values));
  const fallbackWords = renderTemplate(missing.map((v) => `{{${v}}}`).join("\n"), {}).split("\n");
  return {
    channel: t.channel,
    ...(t.subject !== undefined ? { subject: renderTemplate(t.subject, values) } : {}),
    body: renderTemplate(t.body, values),
    contact: {
      ...source,
      ...(contact.name ? { name: contact.name } : {}),
      ...(contact.company ? { company: contact.company } : {}),
      ...(contact.businessType ? { businessType: contact.businessType } : {}),
    },
    emptyVariables: missing.filter((_, i) => fallbackWords[i] === ""),
    fallbackVariables: missing.filter((_, i) => fallbackWords[i] !== ""),
  };
}

/**
 * The preview a request asks for: its template (a saved one of `tenant`, or
 * inline) for its lead (of `tenant`) or the sample contact. A template or
 * lead the tenant does not have is a 404.
 */
export async function previewTemplate(
  system: ActorSystem,
  tenant: string,
  req: PreviewTemplate,
): Promise<TemplatePreview> {
  let t = req.template;
  if (req.templateId !== undefined) {
    t = await findTemplate(system, tenant, req.templateId);
    if (!t) throw new TemplateNotFound(req.templateId);
  }
  if (!t) throw new TemplateNotFound("(none given)");
  if (req.leadId === undefined) return renderPreview(t, SAMPLE_CONTACT, { source: "sample" });
  const view = await system.ref(lead, tenant, req.leadId).query("view");
  if (!view.exists) throw new NotFoundError(`lead ${req.leadId}`);
  return renderPreview(t, view.contact, { source: "lead", leadId: req.leadId });
}
