// The capacity model of the load report: from the CPU each stage spent per reading in this run,
// how many devices one machine of this kind carries, and what a fleet needs. Pure arithmetic, so
// test/load-harness.test.ts can check it; the assumptions are data, printed with the result.

export interface StageCost {
  /** e.g. acq-cellular, nats, ingest, questdb */
  stage: string;
  /** CPU microseconds per reading. */
  cpuUs: number;
}

export interface Assumptions {
  /** Cores of one machine (this kind: 2). */
  cores: number;
  /** Share of a core planned for steady load; the rest is headroom for bursts and catch-up. */
  utilisation: number;
  /** Seconds between two readings of one heat pump. */
  readingIntervalS: number;
  /** JetStream replicas of READINGS in a cluster (each replica stores and acks every message). */
  replicas: number;
  /** QuestDB disk per million readings, MB. */
  diskMbPerMillion: number;
  /** Days of raw readings kept. */
  retentionDays: number;
}

export interface FleetNeed {
  heatPumps: number;
  readingsPerS: number;
  acqInstances: number;
  ingestInstances: number;
  natsNodes: number;
  questdbCores: number;
  diskGbPerDay: number;
  diskGbRetained: number;
}

export interface Capacity {
  /** CPU µs per reading summed over every stage. */
  totalCpuUs: number;
  /** Readings/s one machine carries with everything on it, at the planned utilisation. */
  machineReadingsPerS: number;
  /** Heat pumps one machine carries at one reading per `readingIntervalS`. */
  machineDevices: number;
  fleets: FleetNeed[];
}

const costOf = (costs: readonly StageCost[], stage: string): number =>
  costs.find((c) => c.stage === stage)?.cpuUs ?? 0;

/** Readings/s one core of a single-threaded stage carries at the planned utilisation. */
const perCore = (cpuUs: number, a: Assumptions): number =>
  cpuUs > 0 ? (1e6 / cpuUs) * a.utilisation : Number.POSITIVE_INFINITY;

export function capacity(
  costs: readonly StageCost[],
  a: Assumptions,
  fleets: readonly number[] = [1_000, 100_000, 1_000_000],
): Capacity {
  const totalCpuUs = costs.reduce((sum, c) => sum + c.cpuUs, 0);
  const machineReadingsPerS = totalCpuUs > 0 ? (a.cores * 1e6 * a.utilisation) / totalCpuUs : 0;
  const need = (heatPumps: number): FleetNeed => {
    const readingsPerS = heatPumps / a.readingIntervalS;
    // Node services are one event loop each: one instance per planned core's worth of readings.
    const acqInstances = Math.max(1, Math.ceil(readingsPerS / perCore(costOf(costs, 'acq-cellular'), a)));
    const ingestInstances = Math.max(1, Math.ceil(readingsPerS / perCore(costOf(costs, 'ingest'), a)));
    // nats-server uses every core of its node; each replica does the work of one stream copy.
    const natsCores = (readingsPerS * costOf(costs, 'nats') * a.replicas) / 1e6 / a.utilisation;
    const natsNodes = Math.max(a.replicas, Math.ceil(natsCores / a.cores));
    const questdbCores = (readingsPerS * costOf(costs, 'questdb')) / 1e6 / a.utilisation;
    const diskGbPerDay = (readingsPerS * 86_400 * a.diskMbPerMillion) / 1e6 / 1024;
    return {
      heatPumps,
      readingsPerS,
      acqInstances,
      ingestInstances,
      natsNodes,
      questdbCores,
      diskGbPerDay,
      diskGbRetained: diskGbPerDay * a.retentionDays,
    };
  };
  return {
    totalCpuUs,
    machineReadingsPerS,
    machineDevices: Math.floor(machineReadingsPerS * a.readingIntervalS),
    fleets: fleets.map(need),
  };
}
