// OpenTelemetry start-up and W3C trace context carried in NATS headers.
// The OTel API is process-global by design; registering twice (two services in one test process)
// keeps the first provider, which is what every service in that process then shares.
import {
  context,
  metrics,
  propagation,
  trace,
  type Context,
  type Meter,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answers a scrape with the process's metrics in Prometheus text format. */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Telemetry {
  tracer: Tracer;
  /** Metrics (the outbox's fill and drops) go to the same collector, at its `/v1/metrics`. */
  meter: Meter;
  /** Set when `http.metrics` is on: serves `/metrics` on the probe server. */
  scrape: MetricsHandler | undefined;
  shutdown(): Promise<void>;
}

export interface MetricsOptions {
  /** The OTLP/HTTP traces endpoint (`otel.endpoint`); metrics go beside it. */
  otlpEndpoint: string | undefined;
  /** Serve Prometheus `/metrics` (`http.metrics`). */
  prometheus: boolean;
}

let provider: TracerProvider | undefined;
let meterProvider: MeterProvider | undefined;
let scrape: MetricsHandler | undefined;
/** The first service in a process registers the providers; the others share them. */
let registered: Promise<void> | undefined;

/** The collector's metrics URL beside its traces URL (`…/v1/traces` → `…/v1/metrics`). */
export function metricsUrl(tracesEndpoint: string): string {
  return tracesEndpoint.replace(/\/v1\/traces\/?$/, '') + '/v1/metrics';
}

const resourceOf = (service: string) =>
  resourceFromAttributes({ 'service.name': service, 'service.namespace': 'heatstream' });

/**
 * The OTLP exporters and the metrics SDK are loaded only when a collector is configured or
 * Prometheus `/metrics` is on: a process that exports nothing does not load them.
 * `npm run bench:footprint` measured 1–8 MB less idle RSS per service without the OTLP exporters,
 * and 0–15 MB (about 7) more with the metrics SDK and `/metrics` on.
 */
async function loadMetrics(
  service: string,
  { otlpEndpoint, prometheus }: MetricsOptions,
): Promise<{ meters: MeterProvider; scrape: MetricsHandler | undefined }> {
  const { MeterProvider, PeriodicExportingMetricReader } = await import('@opentelemetry/sdk-metrics');
  const readers: MetricReader[] = [];
  if (otlpEndpoint) {
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: metricsUrl(otlpEndpoint) }),
        exportIntervalMillis: 15_000,
      }),
    );
  }
  let handler: MetricsHandler | undefined;
  if (prometheus) {
    const { PrometheusExporter } = await import('@opentelemetry/exporter-prometheus');
    // The probe server answers the scrape (health.ts): the exporter starts no server of its own.
    const exporter = new PrometheusExporter({ preventServerStart: true });
    readers.push(exporter);
    handler = (req, res) => {
      exporter.getMetricsRequestHandler(req, res);
    };
  }
  return { meters: new MeterProvider({ resource: resourceOf(service), readers }), scrape: handler };
}

async function register(service: string, options: MetricsOptions): Promise<void> {
  const { otlpEndpoint } = options;
  const spans = otlpEndpoint
    ? new BatchSpanProcessor({
        exporter: new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({
          url: otlpEndpoint,
        }),
      })
    : undefined;
  provider = new TracerProvider({ resource: resourceOf(service), spanProcessors: spans ? [spans] : [] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  if (otlpEndpoint || options.prometheus) {
    const loaded = await loadMetrics(service, options);
    meterProvider = loaded.meters;
    scrape = loaded.scrape;
    metrics.setGlobalMeterProvider(meterProvider);
  }
}

/**
 * Registers the providers (the first service of a process) and answers this service's tracer and
 * meter. Without a collector and without `/metrics` the meter is the API's no-op one: instruments
 * cost nothing then.
 */
export async function startTelemetry(service: string, options: MetricsOptions): Promise<Telemetry> {
  registered ??= register(service, options);
  await registered;
  const owned = provider;
  const ownedMeters = meterProvider;
  return {
    tracer: trace.getTracer(`heatstream.${service}`),
    meter: metrics.getMeter(`heatstream.${service}`),
    // A second service of a test process shares the first one's registry; it serves it only if asked.
    scrape: options.prometheus ? scrape : undefined,
    shutdown: async () => {
      await owned?.forceFlush();
      await ownedMeters?.forceFlush();
    },
  };
}

/** Writes the active trace context (traceparent, tracestate) into NATS headers. */
export function injectTraceHeaders(headers: MsgHdrs, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers, {
    set: (carrier, key, value) => {
      carrier.set(key, value);
    },
  });
}

/** The trace context a publisher put in the headers, to continue its trace. */
export function extractTraceContext(headers: MsgHdrs | undefined): Context {
  if (!headers) return context.active();
  return propagation.extract(context.active(), headers, {
    get: (carrier, key) => (carrier.has(key) ? carrier.get(key) : undefined),
    keys: (carrier) => carrier.keys(),
  });
}

/** Trace and span id of the active span, for log lines. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getSpan(context.active());
  const ctx = span?.spanContext();
  if (!ctx || ctx.traceId === '00000000000000000000000000000000') return undefined;
  return { traceId: ctx.traceId, spanId: ctx.spanId };
}
