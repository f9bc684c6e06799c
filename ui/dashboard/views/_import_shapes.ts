/**
 * What the import view reads and keeps: the API's answers as it uses them,
 * the file chosen before upload, and the words for fields and statuses.
 *
 * @module
 */
import type { FieldIssue } from "../api.ts";
import type { CsvPreview, RejectedRow } from "./_import_csv.ts";

/** `GET /v1/imports/{id}` as the view reads it. */
export interface ImportProgress {
  importId: string;
  status: "running" | "completed" | "cancelled";
  total: number;
  done: number;
  created: number;
  merged: number;
  repeated: number;
  failed: number;
  errors: RejectedRow[];
  errorsNotKept: number;
}

/** A row of `GET /v1/imports`. */
export interface ImportSummary {
  importId: string;
  status: string;
  total: number;
  done: number;
  created: number;
  merged: number;
  repeated: number;
  failed: number;
  startedAt: string | null;
  finishedAt: string | null;
}

/** `POST /v1/imports/preview`. */
export interface PreviewAnswer {
  /** Whether an upload with this mapping would start; else `issues` say why. */
  ok: boolean;
  mapping: Record<string, string>;
  ignoredColumns: string[];
  issues: FieldIssue[];
  fields: string[];
  maxBytes: number;
}

/** A chosen file and what is known of it before upload. */
export interface Chosen {
  file: File;
  /** Made when the file is chosen: a second click on Start finds the same job. */
  importId: string;
  preview: CsvPreview;
  /** Column → field, or "" for a column left out. */
  mapping: Record<string, string>;
}

const FIELD_LABELS: Record<string, string> = {
  "contact.name": "Name",
  "contact.firstName": "First name",
  "contact.lastName": "Last name",
  "contact.email": "Email",
  "contact.phone": "Phone",
  "contact.company": "Company",
  "contact.businessType": "Business type",
  "contact.website": "Website",
  "contact.rating": "Rating",
  "contact.reviewCount": "Review count",
  "contact.emailConfidence": "Email confidence",
  "contact.timeZone": "Time zone",
  "contact.address.line1": "Street address",
  "contact.address.city": "City",
  "contact.address.region": "State or region",
  "contact.address.postcode": "Postcode",
  "contact.address.country": "Country",
  "message": "Message or notes",
  "tags": "Tags",
};

/** A field as people name it (`contact.email` → `Email`). */
export function fieldLabel(field: string): string {
  if (field.startsWith("customFields.")) return `Custom field "${field.slice(13)}"`;
  return FIELD_LABELS[field] ?? field;
}

/** A job status in words. */
export const STATUS_LABELS: Record<string, string> = {
  running: "running",
  completed: "completed",
  cancelled: "cancelled",
};
