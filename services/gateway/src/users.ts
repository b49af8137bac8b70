// Users, API tokens and browser sessions, kept in NATS KV (JetStream-backed, so they survive
// restarts and are shared by every gateway replica). Tokens and sessions are stored by the
// SHA-256 of their secret, never the secret itself. The buckets are declared in
// contracts/src/buckets.ts and opened through the runtime (the service context or, for the admin
// CLI, a runtime client).
import { createHash } from 'node:crypto';
import type { Kv, OpenKv } from '@heatstream/runtime';
import { MIN_PASSWORD_LENGTH, hashPassword, newSecret, verifyPassword } from './passwords.ts';

export const Role = { admin: 'admin', viewer: 'viewer' } as const;
export type Role = (typeof Role)[keyof typeof Role];

export interface User {
  username: string;
  role: Role;
  passwordHash: string;
  createdAt: string;
}

export interface Principal {
  username: string;
  role: Role;
  via: 'session' | 'token';
}

interface TokenRecord {
  name: string;
  username: string;
  createdAt: string;
}

interface SessionRecord {
  username: string;
  expiresAt: number;
}

export class UserError extends Error {
  override name = 'UserError';
}

export interface UserStoreOptions {
  /**
   * The configured session lifetime (`api.sessionTtlHours`): it becomes the TTL of the sessions
   * bucket. Without it (the admin CLI) the bucket keeps the TTL the gateway gave it.
   */
  sessionTtlMs?: number;
  now?: () => number;
}

const USERNAME = /^[a-z0-9][a-z0-9_-]{1,31}$/;
const digest = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export class UserStore {
  readonly #users: Kv;
  readonly #tokens: Kv;
  readonly #sessions: Kv;
  readonly #now: () => number;

  private constructor(users: Kv, tokens: Kv, sessions: Kv, now: () => number) {
    this.#users = users;
    this.#tokens = tokens;
    this.#sessions = sessions;
    this.#now = now;
  }

  /** Opens the gateway's buckets through `buckets.kv` (a service context or a runtime client). */
  static async open(buckets: { kv: OpenKv }, options: UserStoreOptions = {}): Promise<UserStore> {
    const { sessionTtlMs, now = Date.now } = options;
    const [users, tokens, sessions] = await Promise.all([
      buckets.kv('gateway_users'),
      buckets.kv('gateway_tokens'),
      buckets.kv('gateway_sessions', sessionTtlMs === undefined ? {} : { ttlMs: sessionTtlMs }),
    ]);
    return new UserStore(users, tokens, sessions, now);
  }

  async createUser(username: string, password: string, role: Role): Promise<void> {
    if (!USERNAME.test(username))
      throw new UserError('username: 2–32 of a-z, 0-9, _ and -, starting with a letter or digit');
    if (password.length < MIN_PASSWORD_LENGTH)
      throw new UserError(`password: at least ${MIN_PASSWORD_LENGTH} characters`);
    const user: User = {
      username,
      role,
      passwordHash: await hashPassword(password),
      createdAt: new Date(this.#now()).toISOString(),
    };
    if (!(await this.#users.createJson(username, user)))
      throw new UserError(`user ${username} exists already`);
  }

  /**
   * Removes a user: its sessions and tokens stop resolving at once (each lookup checks the user),
   * and its open sockets end at the gateway's next recheck.
   */
  async deleteUser(username: string): Promise<void> {
    if (!(await this.#user(username))) throw new UserError(`no user ${username}`);
    await this.#users.delete(username);
  }

  /** Revokes an API token by its secret; its open sockets end at the gateway's next recheck. */
  async revokeToken(secret: string): Promise<void> {
    if (!(await this.#tokens.get(digest(secret)))) throw new UserError('no such token');
    await this.#tokens.delete(digest(secret));
  }

  async countUsers(): Promise<number> {
    let n = 0;
    for await (const key of this.#users.keys()) if (key) n++;
    return n;
  }

  async #user(username: string): Promise<User | undefined> {
    if (!USERNAME.test(username)) return undefined;
    return (await this.#users.getJson(username)) as User | undefined;
  }

  async authenticate(username: string, password: string): Promise<User | undefined> {
    const user = await this.#user(username);
    // Verify against a dummy hash for unknown users too, so timing does not reveal which exist.
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    return ok && user ? user : undefined;
  }

  async createToken(username: string, name: string): Promise<string> {
    if (!(await this.#user(username))) throw new UserError(`no user ${username}`);
    const secret = `hst_${newSecret()}`;
    const record: TokenRecord = { name, username, createdAt: new Date(this.#now()).toISOString() };
    await this.#tokens.putJson(digest(secret), record);
    return secret;
  }

  async fromToken(secret: string): Promise<Principal | undefined> {
    const record = (await this.#tokens.getJson(digest(secret))) as TokenRecord | undefined;
    if (!record) return undefined;
    const user = await this.#user(record.username);
    return user ? { username: user.username, role: user.role, via: 'token' } : undefined;
  }

  async createSession(user: User): Promise<string> {
    const secret = newSecret();
    // The bucket's TTL is the session lifetime: the entry goes when the session ends.
    const record: SessionRecord = { username: user.username, expiresAt: this.#now() + this.#sessions.ttlMs };
    await this.#sessions.putJson(digest(secret), record);
    return secret;
  }

  async fromSession(secret: string): Promise<Principal | undefined> {
    const record = (await this.#sessions.getJson(digest(secret))) as SessionRecord | undefined;
    if (!record || record.expiresAt < this.#now()) return undefined;
    const user = await this.#user(record.username);
    return user ? { username: user.username, role: user.role, via: 'session' } : undefined;
  }

  async endSession(secret: string): Promise<void> {
    await this.#sessions.delete(digest(secret));
  }
}

const DUMMY_HASH = await hashPassword(newSecret());
