/**
 * The signing secret of access tokens: `JWT_SECRET` when set (clusters must
 * share one), else a random one created once under the data directory, so
 * an embedded node and `deno task token` agree across restarts.
 *
 * @module
 */

/** The token signing secret for a node whose data lives in `dataDir`. */
export async function tokenSecret(dataDir: string): Promise<string> {
  const fromEnv = Deno.env.get("JWT_SECRET");
  if (fromEnv) return fromEnv;
  const file = `${dataDir}/jwt.secret`;
  try {
    return (await Deno.readTextFile(file)).trim();
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  await Deno.mkdir(dataDir, { recursive: true });
  const secret = Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  // createNew: two processes starting together keep the first one's secret.
  try {
    await Deno.writeTextFile(file, secret + "\n", { createNew: true, mode: 0o600 });
    return secret;
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return (await Deno.readTextFile(file)).trim();
    throw e;
  }
}
