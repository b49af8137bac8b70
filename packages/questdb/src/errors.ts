/** QuestDB cannot be reached, or refused our credentials: the data is fine, try again later. */
export class QuestDbUnavailableError extends Error {
  override readonly name = 'QuestDbUnavailableError';
}

/** QuestDB refused the data itself (HTTP 400 on /write): retrying the same rows will not help. */
export class QuestDbRejectedError extends Error {
  override readonly name = 'QuestDbRejectedError';
}

/** A SQL statement failed (DDL at start, queries). */
export class QuestDbSqlError extends Error {
  override readonly name = 'QuestDbSqlError';
}
