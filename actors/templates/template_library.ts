/**
 * The template library actor: one per tenant, `template_library/<tenant>/main`,
 * holding the tenant's saved SMS and email templates. A library is small (at
 * most {@link MAX_TEMPLATES} live templates), so it is one actor's state and
 * its list is a query, with no read model table. Every template is checked
 * when saved ({@link SaveTemplate}: unknown variables are refused then, not
 * at send time), and deleting archives: campaigns that copied a template's
 * text keep it, and the archived template stays readable by id.
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
import { MessageTemplate, SaveTemplate, TemplateId } from "../../shared/mod.ts";
import { type ActorRef, type ActorSystem, defineActor } from "../runtime/mod.ts";

/** The id of a tenant's one library actor. */
export const LIBRARY_ID = "main";

/** Live (not archived) templates a tenant may have; a library is read whole. */
export const MAX_TEMPLATES = 500;

/** Archived templates kept readable; older ones leave the state (the journal keeps them). */
export const KEEP_ARCHIVED = 500;

const LibraryState = z.object({
  /** In creation order. */
  templates: z.array(MessageTemplate),
});

/** The library actor's state. */
export type LibraryState = z.infer<typeof LibraryState>;

/** Input of `create` and `update`: the template's id and its content. */
export const TemplateCommand = z.object({ id: TemplateId, template: SaveTemplate });
/** Input of `create` and `update`. */
export type TemplateCommand = z.input<typeof TemplateCommand>;

/** A library command's outcome: the template, no such template, or a refusal with its reason. */
export type TemplateReply =
  | { status: "ok"; template: MessageTemplate; created: boolean }
  | { status: "not_found"; id: string }
  | {
    status: "refused";
    reason: "template_exists" | "template_archived" | "library_full";
    message: string;
  };

const find = (s: LibraryState, id: string) => s.templates.find((t) => t.id === id);
const sameContent = (t: MessageTemplate, c: SaveTemplate) =>
  t.name === c.name && t.channel === c.channel && t.subject === c.subject && t.body === c.body;

/** `t` saved as `c`, dropping an undefined subject (it is optional, and JSON drops it anyway). */
function withContent(t: Omit<MessageTemplate, keyof SaveTemplate>, c: SaveTemplate) {
  return {
    ...t,
    name: c.name,
    channel: c.channel,
    ...(c.subject !== undefined ? { subject: c.subject } : {}),
    body: c.body,
  };
}

/** The oldest archived templates beyond {@link KEEP_ARCHIVED} dropped. */
function trimArchived(templates: MessageTemplate[]): MessageTemplate[] {
  const archived = templates.filter((t) => t.archived);
  if (archived.length <= KEEP_ARCHIVED) return templates;
  const drop = new Set(
    archived.toSorted((a, b) => a.updatedAt - b.updatedAt)
      .slice(0, archived.length - KEEP_ARCHIVED).map((t) => t.id),
  );
  return templates.filter((t) => !drop.has(t.id));
}

/** The template library actor type. */
export const templateLibrary = defineActor("template_library", {
  state: LibraryState,
  initial: (): LibraryState => ({ templates: [] }),
})
  .event("template.created", {
    schema: z.object({ template: MessageTemplate }),
    apply: (s, e) => ({ templates: [...s.templates, e.template] }),
  })
  .event("template.updated", {
    schema: z.object({ template: MessageTemplate }),
    apply: (s, e) => ({
      templates: s.templates.map((t) => t.id === e.template.id ? e.template : t),
    }),
  })
  .event("template.archived", {
    schema: z.object({ id: z.string() }),
    apply: (s, e, meta) => ({
      templates: trimArchived(
        s.templates.map((t) => t.id === e.id ? { ...t, archived: true, updatedAt: meta.at } : t),
      ),
    }),
  })
  .command("create", {
    input: TemplateCommand,
    handle: (s, { id, template: c }, ctx) => {
      const before = find(s, id);
      if (before) {
        // The same create retried is the same template; anything else under its id is a conflict.
        if (!before.archived && sameContent(before, c)) {
          return { reply: { status: "ok", template: before, created: false } as TemplateReply };
        }
        const reply: TemplateReply = {
          status: "refused",
          reason: "template_exists",
          message: `template ${id} already exists`,
        };
        return { reply };
      }
      if (s.templates.filter((t) => !t.archived).length >= MAX_TEMPLATES) {
        const reply: TemplateReply = {
          status: "refused",
          reason: "library_full",
          message: `a library holds at most ${MAX_TEMPLATES} templates; delete some first`,
        };
        return { reply };
      }
      const template = withContent(
        { id, archived: false, createdAt: ctx.now, updatedAt: ctx.now },
        c,
      );
      return {
        events: [{ type: "template.created", data: { template } }],
        reply: { status: "ok", template, created: true } as TemplateReply,
      };
    },
  })
  .command("update", {
    input: TemplateCommand,
    handle: (s, { id, template: c }, ctx) => {
      const before = find(s, id);
      if (!before) return { reply: { status: "not_found", id } as TemplateReply };
      if (before.archived) {
        const reply: TemplateReply = {
          status: "refused",
          reason: "template_archived",
          message: `template ${id} was deleted; create a new one`,
        };
        return { reply };
      }
      if (sameContent(before, c)) {
        return { reply: { status: "ok", template: before, created: false } as TemplateReply };
      }
      const { subject: _, ...rest } = before;
      const template = withContent({ ...rest, updatedAt: ctx.now }, c);
      return {
        events: [{ type: "template.updated", data: { template } }],
        reply: { status: "ok", template, created: false } as TemplateReply,
      };
    },
  })
  .command("archive", {
    input: z.object({ id: TemplateId }),
    handle: (s, { id }, ctx) => {
      const before = find(s, id);
      if (!before) return { reply: { status: "not_found", id } as TemplateReply };
      if (before.archived) {
        return { reply: { status: "ok", template: before, created: false } as TemplateReply };
      }
      const template = { ...before, archived: true, updatedAt: ctx.now };
      return {
        events: [{ type: "template.archived", data: { id } }],
        reply: { status: "ok", template, created: false } as TemplateReply,
      };
    },
  })
  /** Live templates, in creation order. */
  .query("list", (s) => s.templates.filter((t) => !t.archived))
  /** Every template kept, archived ones too (so a template can be read by id after deletion). */
  .query("all", (s) => s.templates);

/** The library actor type. */
export type TemplateLibraryActor = typeof templateLibrary;

/** The tenant's library actor. */
export function libraryRef(system: ActorSystem, tenant: string): ActorRef<TemplateLibraryActor> {
  return system.ref(templateLibrary, tenant, LIBRARY_ID);
}

/** One template of the tenant by id, archived ones included; undefined when there is none. */
export async function findTemplate(
  system: ActorSystem,
  tenant: string,
  id: string,
): Promise<MessageTemplate | undefined> {
  return (await libraryRef(system, tenant).query("all")).find((t) => t.id === id);
}
