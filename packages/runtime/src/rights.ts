// The runtime checks a service's NATS use against its rights in contracts/src/access.ts before
// it reaches the server: the server would refuse it too, but later and as a bare permission
// error, where this names the service, the resource and where to grant it.
import { AccessError, subjectMatches, type ServiceAccess } from '@heatstream/contracts';

type SubjectRight = 'publishes' | 'corePublishes' | 'subscribes' | 'serves' | 'requests' | 'replays';

const verbs: Record<SubjectRight, string> = {
  publishes: 'publish to',
  corePublishes: 'core-publish to',
  subscribes: 'subscribe to',
  serves: 'serve',
  requests: 'send requests to',
  replays: 'read the stream',
};

/** Throws AccessError unless `rights` (when the service has declared rights) cover `subject`. */
export function checkSubject(
  service: string,
  rights: ServiceAccess | undefined,
  right: SubjectRight,
  subject: string,
): void {
  if (!rights) return;
  const allowed = rights[right];
  const ok =
    right === 'replays' ? allowed.includes(subject) : allowed.some((f) => subjectMatches(f, subject));
  if (ok) return;
  throw new AccessError(
    `${service} may not ${verbs[right]} ${subject}: its ${right} in contracts/src/access.ts are ${JSON.stringify(allowed)}`,
  );
}

/** Throws AccessError unless the service is one of the bucket's users. */
export function checkBucket(service: string, rights: ServiceAccess | undefined, bucket: string): void {
  if (!rights || rights.kv.includes(bucket)) return;
  throw new AccessError(
    `${service} may not open KV bucket ${bucket}: contracts/src/buckets.ts does not name it among the bucket's users (it may open ${JSON.stringify(rights.kv)})`,
  );
}
