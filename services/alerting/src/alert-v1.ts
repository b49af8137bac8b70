// Transitions as the data of heatstream.alert.v1 events. alert.v1 has three states; an escalation
// (an active alert turned critical) is published as "raised" again with the new severity, under the
// same alertId, so a consumer keyed on alertId updates the alert it has.
import { AlertState, type AlertV1Data } from '@heatstream/contracts';
import { TransitionKind, type Transition } from './lifecycle.ts';

const stateOf = {
  [TransitionKind.raised]: AlertState.raised,
  [TransitionKind.escalated]: AlertState.raised,
  [TransitionKind.acknowledged]: AlertState.acknowledged,
  [TransitionKind.resolved]: AlertState.resolved,
} as const;

export function alertV1Data({ kind, alert }: Transition): AlertV1Data {
  return {
    site: alert.site,
    device: alert.device,
    alertId: alert.alertId,
    rule: alert.rule,
    severity: alert.severity,
    state: stateOf[kind],
    message: alert.message,
    ...(alert.metric !== undefined ? { metric: alert.metric } : {}),
    ...(alert.value !== undefined ? { value: alert.value } : {}),
    ...(alert.threshold !== undefined ? { threshold: alert.threshold } : {}),
    ...(alert.acknowledgedBy !== undefined ? { acknowledgedBy: alert.acknowledgedBy } : {}),
  };
}

/**
 * A stable message id for one transition (the JetStream duplicate window and a webhook's id): the
 * same transition replayed or retried gets the same id, a new transition a new one.
 */
export const transitionId = ({ kind, at, alert }: Transition): string => `${alert.alertId}.${kind}.${at}`;
