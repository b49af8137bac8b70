// Where QuestDB is and how to log in, and SQL over its REST API (/exec) with the same credentials.
import { QuestDbSqlError, QuestDbUnavailableError } from './errors.ts';

export interface QuestDbConnection {
  /** REST and ILP/HTTP base URL, e.g. http://127.0.0.1:9000 */
  url: string;
  /** HTTP basic auth (QuestDB's QDB_HTTP_USER / QDB_HTTP_PASSWORD); both or neither. */
  user?: string | undefined;
  password?: string | undefined;
}

export function authHeader(conn: QuestDbConnection): Record<string, string> {
  if (conn.user === undefined || conn.password === undefined) return {};
  return { authorization: `Basic ${Buffer.from(`${conn.user}:${conn.password}`).toString('base64')}` };
}

interface ExecResult {
  columns?: { name: string }[];
  dataset?: unknown[][];
}

/** One statement over /exec. Throws QuestDbUnavailableError or QuestDbSqlError. */
async function exec(conn: QuestDbConnection, statement: string, timeoutMs: number): Promise<ExecResult> {
  let response: Response;
  try {
    response = await fetch(`${conn.url}/exec?query=${encodeURIComponent(statement)}`, {
      headers: authHeader(conn),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new QuestDbUnavailableError(`QuestDB at ${conn.url} unreachable: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (response.status === 401 || response.status === 403)
    throw new QuestDbUnavailableError(
      `QuestDB at ${conn.url} refused the credentials (HTTP ${response.status})`,
    );
  const text = await response.text();
  let body: ExecResult & { error?: string };
  try {
    body = JSON.parse(text) as typeof body;
  } catch (error) {
    throw new QuestDbUnavailableError(
      `QuestDB at ${conn.url} answered HTTP ${response.status}: ${text.slice(0, 200)}`,
      { cause: error },
    );
  }
  if (!response.ok || body.error !== undefined)
    throw new QuestDbSqlError(`${body.error ?? `HTTP ${response.status}`} in: ${statement.slice(0, 300)}`);
  return body;
}

/** Runs one SQL statement and returns its rows; DDL returns []. */
export async function sql(
  conn: QuestDbConnection,
  statement: string,
  timeoutMs = 30_000,
): Promise<unknown[][]> {
  return (await exec(conn, statement, timeoutMs)).dataset ?? [];
}

/**
 * Runs one query and returns its rows as objects keyed by column name (or alias). `R` is what
 * the caller knows the columns to be, e.g. `RowOf<typeof alerts>`; nothing checks it at run time.
 */
export async function sqlRows<R extends object = Record<string, unknown>>(
  conn: QuestDbConnection,
  statement: string,
  timeoutMs = 30_000,
): Promise<R[]> {
  const { columns = [], dataset = [] } = await exec(conn, statement, timeoutMs);
  return dataset.map((row) => Object.fromEntries(columns.map((c, i) => [c.name, row[i]])) as R);
}

/** A SQL string literal: the value in single quotes, quotes inside doubled. */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** Undefined when QuestDB answers SQL with these credentials, otherwise why not. */
export async function probe(conn: QuestDbConnection, timeoutMs = 2_000): Promise<string | undefined> {
  try {
    await sql(conn, 'select 1', timeoutMs);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The ILP/HTTP configuration string for @questdb/nodejs-client. */
export function senderConfig(conn: QuestDbConnection, extra: Record<string, string | number> = {}): string {
  const url = new URL(conn.url);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  const options: Record<string, string | number> = {
    addr: url.host,
    ...(conn.user !== undefined && conn.password !== undefined
      ? { username: conn.user, password: conn.password }
      : {}),
    ...extra,
  };
  // The client splits on ';' and doubles ';;' to escape one.
  const value = (v: string | number): string => String(v).replaceAll(';', ';;');
  return `${protocol}::${Object.entries(options)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(';')};`;
}
