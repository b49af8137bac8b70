// The names `heatstream replay` shares with the services it talks to: headers on the live
// channel and on derivation requests, and the reply a derivation sends. The subjects are in
// subjects.ts (`coreSubjects.replay`, `coreSubjects.derive`).
//   live    replay.v1.<site>.<device>   payload: the event as stored; headers Subject, Speed
//   derive  derive.v1.<derivation>      payload: the event as stored; headers Stream, Seq;
//                                       reply DeriveReply as JSON

export const ReplayHeader = {
  /** Live channel: the subject the event was stored under. */
  subject: 'Hs-Replay-Subject',
  /** Live channel: the replay speed (0 = as fast as possible). */
  speed: 'Hs-Replay-Speed',
  /** Derivation request: the stream the event came from. */
  stream: 'Hs-Replay-Stream',
  /** Derivation request: its sequence in that stream. */
  seq: 'Hs-Replay-Seq',
} as const;
export type ReplayHeader = (typeof ReplayHeader)[keyof typeof ReplayHeader];

/**
 * A derivation's answer: `ok` once the event is taken into it (its results are published as
 * usual), or a refusal with the reason, which replay counts and reports.
 */
export type DeriveReply = { ok: true } | { ok: false; error: string };
