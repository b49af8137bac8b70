// Scraping a Prometheus endpoint in a test: the text format parsed by prom2javascript (a parse
// error throws), and the one series a test asserts on picked by name and labels.
// (parse-prometheus-text-format was tried first: it merges the series of a labelled histogram.)
import { getMetricsFromIterator, type PromMetric, type PromHistogramData } from 'prom2javascript';
import { TestkitError } from './process.ts';

export interface PromSeries {
  labels: Record<string, string>;
  /** Counters, gauges, untyped. */
  value?: number;
  /** Histograms: upper bound → cumulative count. */
  buckets?: Record<string, number>;
  count?: number;
  sum?: number;
}

export interface PromFamily {
  name: string;
  help: string;
  /** As the TYPE line says: counter, gauge, histogram, summary, untyped. */
  type: string;
  series: PromSeries[];
}

export interface Scrape {
  /** The body as served. */
  text: string;
  contentType: string | null;
  families: ReadonlyMap<string, PromFamily>;
  family(name: string): PromFamily | undefined;
  /** The series of `name` whose labels include `labels`; undefined when there is none. */
  series(name: string, labels?: Record<string, string>): PromSeries | undefined;
  /** Its value (counters, gauges); undefined when there is no such series. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  histogram(name: string, labels?: Record<string, string>): PromHistogramData | undefined;
}

export async function parseScrape(text: string, contentType: string | null = null): Promise<Scrape> {
  const parsed: Record<string, PromMetric> = await getMetricsFromIterator(text.split('\n').values());
  const families = new Map<string, PromFamily>(
    Object.entries(parsed).map(([name, m]) => [name, { name, help: m.help, type: m.type, series: m.data }]),
  );
  const series = (name: string, labels: Record<string, string> = {}): PromSeries | undefined =>
    families.get(name)?.series.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    text,
    contentType,
    families,
    family: (name) => families.get(name),
    series,
    value: (name, labels) => series(name, labels)?.value,
    histogram: (name, labels) => {
      const found = series(name, labels);
      return found?.buckets ? (found as PromHistogramData) : undefined;
    },
  };
}

/** GETs `url` (with `headers`, e.g. a bearer token) and parses it; a status other than 200 throws. */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new TestkitError(`scrape of ${url} answered ${res.status}: ${text}`);
  return parseScrape(text, res.headers.get('content-type'));
}
