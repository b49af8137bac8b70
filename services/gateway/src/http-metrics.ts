// The gateway's own HTTP and socket figures as OpenTelemetry instruments (served at the probe
// server's /metrics and sent over OTLP like the runtime's): requests per method, route and status
// with their durations, and the Socket.IO connections open now.
import type { Meter } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import type { Server as SocketServer } from 'socket.io';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function httpMetrics(meter: Meter): (req: Request, res: Response, next: NextFunction) => void {
  const requests = meter.createCounter('heatstream.http.requests', {
    description: 'HTTP requests answered, per method, route and status',
    unit: '{request}',
  });
  const duration = meter.createHistogram('heatstream.http.request.duration', {
    description: 'how long the gateway took to answer an HTTP request',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      // The route's pattern (/api/devices/:id/status), never the path: one series per route, not
      // per device or per probing client. Static files and unknown paths share one label each.
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route =
        typeof pattern === 'string' ? pattern : req.path.startsWith('/api/') ? 'unmatched' : 'static';
      const attrs = { method: req.method, route, status: String(res.statusCode) };
      requests.add(1, attrs);
      duration.record((performance.now() - started) / 1000, attrs);
    });
    next();
  };
}

export function socketMetrics(meter: Meter, io: SocketServer): void {
  meter
    .createObservableGauge('heatstream.sockets.open', {
      description: 'Socket.IO connections open now (dashboards and API clients with live push)',
      unit: '{socket}',
    })
    .addCallback((result) => {
      result.observe(io.engine.clientsCount);
    });
}
