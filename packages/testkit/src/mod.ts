export { startNats, type NatsServer, type NatsOptions } from './nats.ts';
export {
  natsClusterFixture,
  type ClusterNode,
  type NatsClusterFixture,
  type NatsClusterOptions,
} from './nats-cluster.ts';
export { startQuestDb, type QuestDbServer } from './questdb.ts';
export {
  startMosquitto,
  startSecuredMosquitto,
  type MosquittoServer,
  type MosquittoOptions,
} from './mosquitto.ts';
export {
  TestkitError,
  freePort,
  portOpen,
  repoRoot,
  spawnServer,
  tempDir,
  waitUntil,
  type ServerProcess,
  type TestServer,
} from './process.ts';
export { eventually, killNodeProcesses, launchChromium, runNode, type NodeProcess } from './node.ts';
export { syntheticReading, type SyntheticOptions } from './readings.ts';
export {
  natsFixture,
  questDbFixture,
  serviceFixture,
  access,
  type ServiceFixture,
  type NatsFixture,
  type NatsFixtureOptions,
  type QuestDbFixture,
} from './fixtures.ts';
export { deadLetters, consumerIdle, type DeadLetter } from './inspect.ts';
export { readingEvent, statusEvent, alertEvent, copEvent, copV2Event, copLiveEvent } from './events.ts';
export { goldenEvents, type GoldenEvent } from './golden.ts';
export { fileFixture, fileSetUp } from './file-fixture.ts';
export { parseScrape, scrape, type PromFamily, type PromSeries, type Scrape } from './prometheus.ts';
