// One event table's projection: a batch of events becomes one QuestDB transaction; the batch's
// messages are acked only after it committed. Rows QuestDB refuses are dead-lettered with its
// error, the rest go on. While QuestDB is unreachable the batch is held (the writer waits) rather
// than nak'ed: every nak spends one of the consumer's deliveries, and an outage is no fault of
// the events.
import type { QuestDbWriter, TableDef } from '@heatstream/questdb';
import { ok, type BatchHandler, type ItemOutcome } from '@heatstream/runtime';

export function projector(table: TableDef, writer: QuestDbWriter): BatchHandler {
  return async (items, stopping) => {
    const result = await writer.write(
      table,
      items.map((i) => i.event),
      stopping,
    );
    return result.map((reason): ItemOutcome => (reason === undefined ? ok : { status: 'reject', reason }));
  };
}
