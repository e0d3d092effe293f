import type { createClient } from "redis";

/** Every key matching `pattern` (`SCAN MATCH`, never `KEYS`: it would block the shared server). */
export async function scanKeys(client: ReturnType<typeof createClient>, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = (await client.sendCommand(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"])) as [
      string,
      string[],
    ];
    cursor = String(next);
    found.push(...keys);
  } while (cursor !== "0");
  return found;
}
