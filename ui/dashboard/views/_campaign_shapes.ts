/**
 * The shapes the campaign views read from the gateway, as it answers them
 * (`gateway/campaigns_api.ts`, `gateway/templates_api.ts`): the schemas'
 * types where `shared/` has them (type imports only, so nothing of them is
 * bundled), interfaces for the few the gateway defines itself.
 *
 * @module
 */
import type {
  CampaignDefinition,
  CampaignStats,
  CampaignStatus,
} from "../../../shared/campaign.ts";
import type { MessageTemplate, TemplatePreview } from "../../../shared/message_template.ts";

export type { CampaignDefinition, CampaignStats, CampaignStatus, MessageTemplate, TemplatePreview };

/** A row of `GET /v1/campaigns`. */
export interface CampaignListItem {
  id: string;
  name: string;
  status: CampaignStatus;
  enrolled: number;
  createdAt: number;
  launchedAt: number | null;
  stoppedAt: number | null;
}

/** A page of `GET /v1/campaigns`. */
export interface CampaignPage {
  items: CampaignListItem[];
  next: string | null;
}

/** A campaign as `GET /v1/campaigns/{id}` and its life commands answer it. */
export interface CampaignView {
  id: string;
  exists: boolean;
  status: CampaignStatus;
  definition: CampaignDefinition | null;
  createdAt: number | null;
  launchedAt: number | null;
  pausedAt: number | null;
  stoppedAt: number | null;
  enrolled: number;
}

/** What the campaign routes answer; an `ai` caller in suggest mode gets a suggestion instead. */
export interface CampaignReply {
  campaign?: CampaignView;
  suggestionId?: string;
}

/** What `POST /v1/campaigns/preview-audience` answers. */
export interface AudiencePreview {
  count: number;
  sample: { leadId: string; name: string; email: string | null; phone: string | null }[];
}

/** A time in the browser's locale with its time zone named, e.g. "3 Dec 2026, 14:05 UTC". */
export function formatTime(ms: number | null): string {
  if (ms === null) return "—";
  return new Intl.DateTimeFormat(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    // dateStyle/timeStyle cannot be combined with a named time zone.
    timeZoneName: "short",
  }).format(ms);
}

/** A status as words. */
export const STATUS_LABELS: Record<CampaignStatus, string> = {
  draft: "Draft",
  running: "Running",
  paused: "Paused",
  stopped: "Stopped",
};
