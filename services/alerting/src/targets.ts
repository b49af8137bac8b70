// What one notification looks like on the wire, per target kind. Webhooks follow the Standard
// Webhooks spec (standardwebhooks.com): a JSON body {type, timestamp, data}, signed by the
// reference library with the `webhook-id` fixed per notification, so a receiver that sees a retry
// recognises it; the timestamp and signature are made anew at each attempt, as the spec asks.
// ntfy gets the message as the body and Title/Priority/Tags headers (docs.ntfy.sh/publish).
import { Webhook } from 'standardwebhooks';
import type { AlertV1Data } from '@heatstream/contracts';

export const NotificationKind = {
  raised: 'raised',
  escalated: 'escalated',
  resolved: 'resolved',
  reminder: 'reminder',
} as const;
export type NotificationKind = (typeof NotificationKind)[keyof typeof NotificationKind];

/** One notification to one target; kept in the outbox until delivered or given up. */
export interface Notification {
  /** The webhook-id: the transition id (or the alert id and reminder number), stable across retries. */
  id: string;
  target: string;
  kind: NotificationKind;
  alert: AlertV1Data;
}

export type Target =
  | { kind: 'webhook'; name: string; url: string; secret: string }
  | { kind: 'ntfy'; name: string; url: string; token?: string };

export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export class TargetConfigError extends Error {
  override name = 'TargetConfigError';
}

/** The signer of a webhook target; a malformed secret fails at start, not at the first alert. */
export function signer(target: Extract<Target, { kind: 'webhook' }>): Webhook {
  try {
    return new Webhook(target.secret);
  } catch (error) {
    throw new TargetConfigError(
      `webhooks.${target.name}.secret: not a Standard Webhooks secret (whsec_<base64>)`,
      {
        cause: error,
      },
    );
  }
}

const title = (n: Notification): string => {
  const { alert } = n;
  const what =
    n.kind === NotificationKind.resolved
      ? 'Resolved'
      : n.kind === NotificationKind.reminder
        ? 'Still raised'
        : alert.severity === 'critical'
          ? 'Critical'
          : 'Warning';
  return `${what}: ${alert.rule} on ${alert.site}/${alert.device}`;
};

export function webhookRequest(
  target: Extract<Target, { kind: 'webhook' }>,
  n: Notification,
  sign: Webhook,
  now: Date,
): HttpRequest {
  const body = JSON.stringify({
    type: `alert.${n.kind}`,
    timestamp: now.toISOString(),
    data: n.alert,
  });
  return {
    url: target.url,
    headers: {
      'content-type': 'application/json',
      'webhook-id': n.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': sign.sign(n.id, now, body),
    },
    body,
  };
}

// ntfy priorities: 5 urgent, 4 high, 3 default. Tags become emoji in the apps.
export function ntfyRequest(target: Extract<Target, { kind: 'ntfy' }>, n: Notification): HttpRequest {
  const resolved = n.kind === NotificationKind.resolved;
  const critical = n.alert.severity === 'critical';
  const priority = resolved ? 3 : critical ? 5 : 4;
  const tags = resolved ? 'white_check_mark' : critical ? 'rotating_light' : 'warning';
  return {
    url: target.url,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      // Headers must be ISO-8859-1; ntfy decodes RFC 2047 encoded words for anything else.
      title: `=?UTF-8?B?${Buffer.from(title(n)).toString('base64')}?=`,
      priority: String(priority),
      tags: `${tags},heatstream`,
      ...(target.token === undefined ? {} : { authorization: `Bearer ${target.token}` }),
    },
    body: n.alert.message,
  };
}
