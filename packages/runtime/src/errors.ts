/** The configuration is wrong; every problem is listed, so one run tells the operator all of them. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly issues: readonly string[];
  constructor(issues: readonly string[], source: string) {
    super(`invalid configuration (${source}):\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.issues = issues;
  }
}

/** Start-up cannot complete; the process ends with this message. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** Streams or consumers on the server differ from contracts/ in a way that cannot be updated in place. */
export class ProvisioningError extends StartupError {
  override name = 'ProvisioningError';
}

/** A publish was not confirmed by JetStream after its retries. */
export class PublishError extends Error {
  override name = 'PublishError';
}
