// Users, API tokens and browser sessions, kept in NATS KV (JetStream-backed, so they survive
// restarts and are shared by every gateway replica). Tokens and sessions are stored by the
// SHA-256 of their secret, never the secret itself.
import { createHash } from 'node:crypto';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
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

const USERNAME = /^[a-z0-9][a-z0-9_-]{1,31}$/;
const digest = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export class UserStore {
  readonly #users: KV;
  readonly #tokens: KV;
  readonly #sessions: KV;
  readonly #sessionTtlMs: number;
  readonly #now: () => number;

  private constructor(users: KV, tokens: KV, sessions: KV, sessionTtlMs: number, now: () => number) {
    this.#users = users;
    this.#tokens = tokens;
    this.#sessions = sessions;
    this.#sessionTtlMs = sessionTtlMs;
    this.#now = now;
  }

  static async open(
    nc: NatsConnection,
    sessionTtlMs: number,
    now: () => number = Date.now,
  ): Promise<UserStore> {
    const kvm = new Kvm(nc);
    const [users, tokens, sessions] = await Promise.all([
      kvm.create('gateway_users', { history: 1, description: 'gateway users (scrypt password hashes)' }),
      kvm.create('gateway_tokens', { history: 1, description: 'API tokens by SHA-256' }),
      kvm.create('gateway_sessions', {
        history: 1,
        ttl: sessionTtlMs,
        description: 'browser sessions by SHA-256',
      }),
    ]);
    return new UserStore(users, tokens, sessions, sessionTtlMs, now);
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
    try {
      await this.#users.create(username, JSON.stringify(user));
    } catch (error) {
      throw new UserError(`user ${username} exists already`, { cause: error });
    }
  }

  async countUsers(): Promise<number> {
    let n = 0;
    for await (const key of await this.#users.keys()) if (key) n++;
    return n;
  }

  async #user(username: string): Promise<User | undefined> {
    if (!USERNAME.test(username)) return undefined;
    const entry = await this.#users.get(username);
    return entry && entry.operation === 'PUT' ? entry.json<User>() : undefined;
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
    await this.#tokens.put(digest(secret), JSON.stringify(record));
    return secret;
  }

  async fromToken(secret: string): Promise<Principal | undefined> {
    const entry = await this.#tokens.get(digest(secret));
    if (!entry || entry.operation !== 'PUT') return undefined;
    const user = await this.#user(entry.json<TokenRecord>().username);
    return user ? { username: user.username, role: user.role, via: 'token' } : undefined;
  }

  async createSession(user: User): Promise<string> {
    const secret = newSecret();
    const record: SessionRecord = { username: user.username, expiresAt: this.#now() + this.#sessionTtlMs };
    await this.#sessions.put(digest(secret), JSON.stringify(record));
    return secret;
  }

  async fromSession(secret: string): Promise<Principal | undefined> {
    const entry = await this.#sessions.get(digest(secret));
    if (!entry || entry.operation !== 'PUT') return undefined;
    const record = entry.json<SessionRecord>();
    if (record.expiresAt < this.#now()) return undefined;
    const user = await this.#user(record.username);
    return user ? { username: user.username, role: user.role, via: 'session' } : undefined;
  }

  async endSession(secret: string): Promise<void> {
    await this.#sessions.delete(digest(secret));
  }
}

const DUMMY_HASH = await hashPassword(newSecret());
