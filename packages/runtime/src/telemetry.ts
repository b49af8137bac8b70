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
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { MsgHdrs } from '@nats-io/transport-node';

export interface Telemetry {
  tracer: Tracer;
  /** Metrics (the outbox's fill and drops) go to the same collector, at its `/v1/metrics`. */
  meter: Meter;
  shutdown(): Promise<void>;
}

let provider: TracerProvider | undefined;
let meterProvider: MeterProvider | undefined;
/** The first service in a process registers the providers; the others share them. */
let registered: Promise<void> | undefined;

/** The collector's metrics URL beside its traces URL (`…/v1/traces` → `…/v1/metrics`). */
export function metricsUrl(tracesEndpoint: string): string {
  return tracesEndpoint.replace(/\/v1\/traces\/?$/, '') + '/v1/metrics';
}

/**
 * The OTLP exporters and the metrics SDK are loaded only when a collector is configured
 * (`./heatstream start` runs without one): a process that exports nothing does not load them.
 * `npm run bench:footprint` measured 1–8 MB less idle RSS per service from this.
 */
async function exporters(
  service: string,
  otlpEndpoint: string,
): Promise<{ spans: SpanProcessor; meters: MeterProvider }> {
  const [{ OTLPTraceExporter }, { OTLPMetricExporter }, { MeterProvider, PeriodicExportingMetricReader }] =
    await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/exporter-metrics-otlp-http'),
      import('@opentelemetry/sdk-metrics'),
    ]);
  return {
    spans: new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: otlpEndpoint }) }),
    meters: new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'service.namespace': 'heatstream' }),
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: metricsUrl(otlpEndpoint) }),
          exportIntervalMillis: 15_000,
        }),
      ],
    }),
  };
}

async function register(service: string, otlpEndpoint: string | undefined): Promise<void> {
  const otlp = otlpEndpoint ? await exporters(service, otlpEndpoint) : undefined;
  provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.namespace': 'heatstream' }),
    spanProcessors: otlp ? [otlp.spans] : [],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  if (otlp) {
    meterProvider = otlp.meters;
    metrics.setGlobalMeterProvider(meterProvider);
  }
}

export async function startTelemetry(service: string, otlpEndpoint: string | undefined): Promise<Telemetry> {
  registered ??= register(service, otlpEndpoint);
  await registered;
  const owned = provider;
  const ownedMeters = meterProvider;
  return {
    tracer: trace.getTracer(`heatstream.${service}`),
    meter: metrics.getMeter(`heatstream.${service}`),
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
