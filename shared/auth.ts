/**
 * Who is calling: the roles a caller can have and the claims a gateway token
 * carries. The gateway signs and checks tokens; every other folder only reads
 * a {@link Principal}.
 *
 * @module
 */
import { z } from "zod";
import { isKeyPart } from "./ids.ts";

/**
 * What a caller may do: `admin` and `agent` are people of a tenant, `ai` is
 * Minerva acting for a tenant, `widget` is a visitor on a tenant's site.
 */
export const Role = z.enum(["admin", "agent", "ai", "widget"]);
/** One of {@link Role}. */
export type Role = z.infer<typeof Role>;

/** Access tokens open routes; refresh tokens only buy new access tokens. */
export const TokenType = z.enum(["access", "refresh"]);
/** One of {@link TokenType}. */
export type TokenType = z.infer<typeof TokenType>;

/** A tenant id as it appears in keys and paths; the same rule as an actor key part. */
export const TenantId = z.string().refine(isKeyPart, {
  message: "expected 1-128 of letters, digits and `_ . : @ + -`",
});

/** Who a request acts as, once authenticated: the only thing routes look at. */
export const Principal = z.object({
  /** The user, API key or site key id. */
  sub: z.string().min(1).max(256),
  /** The one tenant this caller may read and write. */
  tenant: TenantId,
  role: Role,
});
/** The parsed form of {@link Principal}. */
export type Principal = z.infer<typeof Principal>;

/** The payload of a gateway JWT; `iat` and `exp` are epoch seconds, as JWT has them. */
export const Claims = Principal.extend({
  typ: TokenType,
  iat: z.number().int().nonnegative(),
  exp: z.number().int().positive(),
});
/** The parsed form of {@link Claims}. */
export type Claims = z.infer<typeof Claims>;
