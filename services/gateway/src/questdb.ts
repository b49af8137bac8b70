// QuestDB's REST API (/exec) with basic auth, returning rows as objects keyed by column name.
export class QuestDbError extends Error {
  override name = 'QuestDbError';
}

export interface QuestDbClient {
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  ping(): Promise<boolean>;
}

export function questDbClient(
  url: string,
  user: string | undefined,
  password: string | undefined,
): QuestDbClient {
  const headers: Record<string, string> =
    user && password
      ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }
      : {};
  const query = async <T>(sql: string): Promise<T[]> => {
    let response: Response;
    try {
      response = await fetch(`${url}/exec?query=${encodeURIComponent(sql)}`, {
        headers,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new QuestDbError(`QuestDB unreachable at ${url}: ${(error as Error).message}`, { cause: error });
    }
    const body = (await response.json().catch(() => ({}))) as {
      columns?: { name: string }[];
      dataset?: unknown[][];
      error?: string;
    };
    if (!response.ok || body.error) throw new QuestDbError(`QuestDB: ${body.error ?? response.statusText}`);
    const names = (body.columns ?? []).map((c) => c.name);
    return (body.dataset ?? []).map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])) as T);
  };
  return {
    query,
    ping: async () => {
      try {
        await query('select 1');
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** A QuestDB string literal; ids reaching SQL are also pattern-checked by the route schemas. */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;
