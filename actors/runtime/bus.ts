/**
 * The bus port: committed events fan out to subscribers (gateway WebSocket
 * hubs, projections). Publish happens only after commit; a subscriber that
 * misses messages catches up from the journal by stream position.
 *
 * @module
 */

/** What travels on the bus: one committed event of one tenant's stream. */
export interface BusMessage {
  /** Tenant whose stream the event belongs to; topics never mix tenants. */
  tenant: string;
  /** Position in the tenant's stream (commit order). */
  position: number;
  /** Key (`type/tenant/id`) of the actor that emitted the event. */
  actor: string;
  /** Per-actor sequence of the event, 1-based, gap-free. */
  seq: number;
  /** Event type, e.g. `lead.captured`. */
  type: string;
  /** Schema version `data` was written with; older versions are upcast on read. */
  version: number;
  /** Event data as validated by the event's schema. */
  data: unknown;
  /** Clock time of the turn that emitted the event, epoch ms. */
  at: number;
}

/** Called for every message on a subscribed topic, in publish order. */
export type BusHandler = (message: BusMessage) => void;

/** Publish/subscribe over topics. Implementations: in-process, Redis. */
export interface Bus {
  /** Publishes messages to `topic` in the given order. */
  publish(topic: string, messages: BusMessage[]): Promise<void>;
  /** Subscribes; resolves once the subscription is live. Returns an unsubscribe function. */
  subscribe(topic: string, handler: BusHandler): Promise<() => Promise<void>>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** The topic carrying a tenant's whole stream. */
export function tenantTopic(tenant: string): string {
  return `tenant:${tenant}`;
}
