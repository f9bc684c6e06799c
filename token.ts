/**
 * `deno task token --tenant <id> --role <admin|agent|ai|widget> [--sub <name>]`:
 * prints a signed access token (and its refresh token) for any tenant and
 * role, signed with the node's secret (JWT_SECRET, or the one under DATA_DIR).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Role, TenantId } from "./shared/auth.ts";
import { createTokenService } from "./gateway/auth.ts";
import { tokenSecret } from "./gateway/secrets.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { tenant: { type: "string" }, role: { type: "string" }, sub: { type: "string" } },
});
const tenant = TenantId.safeParse(values.tenant);
const role = Role.safeParse(values.role);
if (!tenant.success || !role.success) {
  console.error(
    "usage: deno task token --tenant <id> --role <admin|agent|ai|widget> [--sub <name>]\n" +
      (tenant.success ? "" : `  --tenant: ${tenant.error.issues[0]?.message}\n`) +
      (role.success ? "" : "  --role: one of admin, agent, ai, widget\n"),
  );
  Deno.exit(2);
}
const tokens = createTokenService({
  secret: await tokenSecret(Deno.env.get("DATA_DIR") || "./data"),
});
const issued = await tokens.issue({
  sub: values.sub ?? `cli:${role.data}`,
  tenant: tenant.data,
  role: role.data,
});
console.log(JSON.stringify(issued, null, 2));
