// The whole of a service's main.ts: `await main(service)`.
import { flushCompileCache } from 'node:module';
import type { TProperties } from '@sinclair/typebox';
import { ConfigError, StartupError } from './errors.ts';
import { runService, type RunOptions, type ServiceDefinition } from './service.ts';

/** Runs the service until SIGTERM or SIGINT; a failed start ends the process with what to fix. */
export async function main<P extends TProperties>(
  definition: ServiceDefinition<P>,
  options: RunOptions = {},
): Promise<void> {
  // The compile-cache warm-up (scripts/start.sh, deploy/Dockerfile) loads every main.ts: compiled,
  // cached, and nothing started.
  if (process.env.HS_COMPILE_CACHE_WARMUP === '1') {
    flushCompileCache();
    return;
  }
  let running;
  try {
    running = await runService(definition, options);
  } catch (error) {
    const message =
      error instanceof ConfigError || error instanceof StartupError ? error.message : String(error);
    process.stderr.write(`${definition.name}: cannot start: ${message}\n`);
    process.exit(1);
  }
  const service = running;
  // With NODE_COMPILE_CACHE set (./heatstream start sets it), what start-up compiled — also modules
  // loaded on demand — is on disk now, not only at exit: the next start of any service skips the
  // TypeScript stripper (about 25 MB RSS) and the compile.
  flushCompileCache();
  const onSignal = (signal: NodeJS.Signals): void => {
    void service.stop(signal).then((code) => process.exit(code));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
