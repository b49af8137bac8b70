import { pino, type Logger } from 'pino';
import { activeTraceIds } from './telemetry.ts';

export type { Logger };

/** JSON lines on stdout; every line written inside a traced operation carries its trace id. */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => activeTraceIds() ?? {},
  });
}
