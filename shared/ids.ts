/**
 * Actor identity: `type/tenant/id`. Tenants never see each other's actors.
 *
 * @module
 */
import { customAlphabet } from "nanoid";

/** The address of one actor. */
export interface ActorAddress {
  /** The actor type's name as given to `defineActor`: a lowercase word. */
  readonly type: string;
  /** The owning tenant; same characters as `id`. Equal ids in two tenants are two actors. */
  readonly tenant: string;
  /** Names the actor within its type and tenant: 1-128 of letters, digits and `_ . : @ + -`. */
  readonly id: string;
}

const PART = /^[A-Za-z0-9_.:@+-]{1,128}$/;

/** Whether `s` may be one part of an actor key (no slashes, no spaces). */
export function isKeyPart(s: string): boolean {
  return PART.test(s);
}

/** The canonical key of an actor: `type/tenant/id`. */
export function actorKey(a: ActorAddress): string {
  return `${a.type}/${a.tenant}/${a.id}`;
}

const alphabet = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 16);

/** A new random id, 16 lowercase alphanumerics. */
export function newId(): string {
  return alphabet();
}
