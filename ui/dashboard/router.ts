/**
 * The dashboard's views and their addresses: the URL fragment (`#/tasks`,
 * `#/leads/<id>`), so every view has a link, the back button works and the
 * gateway serves one shell for all of them.
 *
 * @module
 */

/** Every view of the dashboard. */
export type ViewName =
  | "overview"
  | "lead"
  | "silent"
  | "tasks"
  | "calendar"
  | "campaigns"
  | "campaign-new"
  | "campaign"
  | "analytics"
  | "import"
  | "ops";

/** A view and its parameters (`id` for a lead or campaign). */
export interface Route {
  view: ViewName;
  params: Record<string, string>;
}

/** The navigation's entries, in order: view, label. Detail views are reached from their lists. */
export const NAV: readonly (readonly [ViewName, string])[] = [
  ["overview", "Overview"],
  ["silent", "Silent leads"],
  ["tasks", "Tasks"],
  ["calendar", "Bookings"],
  ["campaigns", "Campaigns"],
  ["analytics", "Analytics"],
  ["import", "Import"],
  ["ops", "Delivery"],
];

/** The list view a detail view belongs to (for the navigation's current entry). */
export const SECTION: Record<ViewName, ViewName> = {
  overview: "overview",
  lead: "overview",
  silent: "silent",
  tasks: "tasks",
  calendar: "calendar",
  campaigns: "campaigns",
  "campaign-new": "campaigns",
  campaign: "campaigns",
  analytics: "analytics",
  import: "import",
  ops: "ops",
};

/** The route of a fragment (`location.hash`); anything unknown is the overview. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const [head, id] = parts;
  if (head === "leads" && id) return { view: "lead", params: { id } };
  if (head === "campaigns" && id === "new") return { view: "campaign-new", params: {} };
  if (head === "campaigns" && id) return { view: "campaign", params: { id } };
  const simple: Record<string, ViewName> = {
    silent: "silent",
    tasks: "tasks",
    calendar: "calendar",
    campaigns: "campaigns",
    analytics: "analytics",
    import: "import",
    ops: "ops",
  };
  const view = head ? simple[head] : undefined;
  return { view: view ?? "overview", params: {} };
}

/** The fragment of a route, e.g. `href("lead", { id })` is `#/leads/<id>`. */
export function href(view: ViewName, params: Record<string, string> = {}): string {
  const id = encodeURIComponent(params.id ?? "");
  switch (view) {
    case "overview":
      return "#/";
    case "lead":
      return `#/leads/${id}`;
    case "campaign-new":
      return "#/campaigns/new";
    case "campaign":
      return `#/campaigns/${id}`;
    default:
      return `#/${view}`;
  }
}
