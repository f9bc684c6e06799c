/**
 * Message templates: each tenant's library of SMS and email templates (the
 * `template_library` actor), checked when saved so an unknown variable is an
 * error then rather than at send time; previews rendered for a lead or a
 * sample contact; and AI drafts from a brief, made valid before they are
 * shown. Shapes live in `shared/message_template.ts`.
 *
 * @module
 */
export * from "./template_library.ts";
export * from "./preview.ts";
export * from "./draft.ts";
