// The alerting service's settings beside the runtime's: the rules (the defaults when none are
// given), notification targets and delivery, the tick. The runtime validates the shape; the rules
// and the names rules give their targets are checked here, every problem at once.
import { Type } from '@sinclair/typebox';
import { ID_PATTERN } from '@heatstream/contracts';
import { Secret } from '@heatstream/runtime';
import { defaultRules, parseRules, RuleError, type Rule } from './rules.ts';

const Url = Type.String({ pattern: '^https?://', description: 'http(s) URL' });

export const settingsProperties = {
  rules: Type.Optional(
    Type.Array(Type.Unknown(), {
      description: 'alert rules (services/alerting/README.md); default rules without',
    }),
  ),
  tickIntervalMs: Type.Integer({
    default: 10_000,
    minimum: 10,
    description: 'how often silence (offline) and the end of waits are checked',
  }),
  expectedIntervalMs: Type.Record(Type.String({ pattern: ID_PATTERN }), Type.Integer({ minimum: 1 }), {
    default: {},
    description: 'device → the interval it sends at; others have theirs learnt',
  }),
  webhooks: Type.Record(
    Type.String({ pattern: ID_PATTERN }),
    Type.Object(
      {
        url: Url,
        secret: Secret({ description: 'Standard Webhooks signing secret (whsec_<base64>)' }),
      },
      { additionalProperties: false },
    ),
    { default: {}, description: 'webhook targets by name, signed per the Standard Webhooks spec' },
  ),
  ntfy: Type.Record(
    Type.String({ pattern: ID_PATTERN }),
    Type.Object(
      {
        url: Type.String({
          pattern: '^https?://',
          description: 'the topic URL, e.g. https://ntfy.sh/my-heatpump',
        }),
        token: Type.Optional(Secret({ description: 'access token (Authorization: Bearer)' })),
      },
      { additionalProperties: false },
    ),
    { default: {}, description: 'ntfy topics by name' },
  ),
  delivery: Type.Object(
    {
      attempts: Type.Integer({ default: 8, minimum: 1, description: 'tries per notification' }),
      initialBackoffMs: Type.Integer({ default: 1_000, minimum: 1 }),
      maxBackoffMs: Type.Integer({ default: 5 * 60_000, minimum: 1 }),
      timeoutMs: Type.Integer({ default: 10_000, minimum: 100, description: 'per HTTP request' }),
    },
    { additionalProperties: false, default: {} },
  ),
};

export class AlertingConfigError extends Error {
  override name = 'AlertingConfigError';
}

/** The rules with their defaults; rules naming a target that is not configured are refused too. */
export function readRules(
  raw: readonly unknown[] | undefined,
  targets: readonly string[],
  namedTwice: readonly string[] = [],
): Rule[] {
  const problems = namedTwice.map((name) => `ntfy.${name}: a webhook has the same name`);
  let rules: Rule[] = [];
  try {
    rules = raw === undefined ? [...defaultRules] : parseRules(raw);
  } catch (error) {
    if (!(error instanceof RuleError)) throw error;
    problems.push(...error.problems);
  }
  rules.forEach((rule, i) => {
    for (const target of rule.notify.targets ?? []) {
      if (!targets.includes(target))
        problems.push(`rules[${i}].notify.targets: no webhook or ntfy target named "${target}"`);
    }
  });
  if (problems.length > 0) {
    throw new AlertingConfigError(`invalid alerting config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return rules;
}
