/**
 * The bus port: committed events fan out to subscribers (gateway WebSocket
 * hubs, projections). Publish happens only after commit; a subscriber that
 * misses messages catches up from the journal by stream position.
 *
 * @module
 */

/** What travels on the bus: one committed event of one tenant's stream. */
export interface BusMessage {
  tenant: string;
  /** Position in the tenant's stream (commit order). */
  position: number;
  actor: string;
  seq: number;
  type: string;
  version: number;
  data: unknown;
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
