// Values a service holds (not its own instruments), in Prometheus text: e.g. the gateway's latest
// reading of every device. They are a snapshot read per scrape, so they go straight to the
// OpenTelemetry Prometheus exporter's serializer (escaping, naming, `_total`) instead of through
// instruments of a MeterProvider, which would keep every device's series in memory between scrapes.
// The serializer is loaded on first use: a service nobody scrapes does not load it.
import { ValueType } from '@opentelemetry/api';
import type { MetricData, ResourceMetrics } from '@opentelemetry/sdk-metrics';

export interface SnapshotPoint {
  labels: Record<string, string>;
  value: number;
}

export interface SnapshotFamily {
  /** Prometheus name without `_total` (added for counters). */
  name: string;
  help: string;
  /** Written as the family's `# UNIT` comment; the name carries its suffix. */
  unit: string;
  kind: 'gauge' | 'counter';
  points: readonly SnapshotPoint[];
}

/** The text a scrape answers, in the Prometheus text format (0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

let loaded: ReturnType<typeof load> | undefined;

async function load() {
  const [{ PrometheusSerializer }, { DataPointType, AggregationTemporality }, { emptyResource }] =
    await Promise.all([
      import('@opentelemetry/exporter-prometheus'),
      import('@opentelemetry/sdk-metrics'),
      import('@opentelemetry/resources'),
    ]);
  // No target_info and no scope labels: the series are the devices', not this process's.
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true);
  return {
    serialize: (metrics: ResourceMetrics) => serializer.serialize(metrics),
    DataPointType,
    AggregationTemporality,
    resource: emptyResource(),
  };
}

export async function snapshotText(families: readonly SnapshotFamily[]): Promise<string> {
  const { serialize, DataPointType, AggregationTemporality, resource } = await (loaded ??= load());
  const now: [number, number] = [Math.floor(Date.now() / 1000), 0];
  const metrics: MetricData[] = families
    .filter((f) => f.points.length > 0)
    .map((f) => {
      const dataPoints = f.points.map((p) => ({
        attributes: p.labels,
        startTime: now,
        endTime: now,
        value: p.value,
      }));
      const descriptor = { name: f.name, description: f.help, unit: f.unit, valueType: ValueType.DOUBLE };
      return f.kind === 'counter'
        ? {
            descriptor,
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.SUM,
            isMonotonic: true,
            dataPoints,
          }
        : {
            descriptor,
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.GAUGE,
            dataPoints,
          };
    });
  return serialize({ resource, scopeMetrics: [{ scope: { name: 'heatstream' }, metrics }] });
}
