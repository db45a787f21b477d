// Test helpers: an SDK MeterProvider whose reader collects only when asked, so tests wait on no timer.
import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';

/** A `MetricReader` that collects on `collect()` only. */
export class ManualReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }

  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A meter of a fresh `MeterProvider`, and the reader that collects its metrics. */
export function meterWithReader(temporality: AggregationTemporality = AggregationTemporality.CUMULATIVE) {
  const reader = new ManualReader({ aggregationTemporalitySelector: () => temporality });
  const provider = new MeterProvider({ readers: [reader] });
  return { reader, meter: provider.getMeter('dispenser-otel-test') };
}

/** What one collection gave: every metric by instrument name. Fails on collection errors. */
export class Collected {
  readonly #metrics: Map<string, MetricData>;

  constructor(metrics: MetricData[]) {
    this.#metrics = new Map(metrics.map((metric) => [metric.descriptor.name, metric]));
  }

  /** The instrument names that have at least one data point, sorted. */
  names(): string[] {
    return [...this.#metrics.values()]
      .filter((metric) => metric.dataPoints.length > 0)
      .map((metric) => metric.descriptor.name)
      .sort();
  }

  metric(name: string): MetricData {
    const metric = this.#metrics.get(name);
    if (metric === undefined) throw new Error(`no metric ${name}; collected: ${[...this.#metrics.keys()].join(', ')}`);
    return metric;
  }

  /** Values by instrument name of the data points whose `dispenser.server.name` is `server`. */
  values(server: string): Record<string, number> {
    const values: Record<string, number> = {};
    for (const [name, metric] of this.#metrics) {
      const point = metric.dataPoints.find((p) => p.attributes['dispenser.server.name'] === server);
      if (point !== undefined) values[name] = point.value as number;
    }
    return values;
  }

  /** The attributes of every data point of `name`. */
  attributes(name: string): Attributes[] {
    return this.metric(name).dataPoints.map((point) => point.attributes);
  }

  /** Whether `name` is a monotonic sum (a counter) or a gauge. */
  kind(name: string): 'counter' | 'gauge' | 'other' {
    const metric = this.metric(name);
    if (metric.dataPointType === DataPointType.GAUGE) return 'gauge';
    if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) return 'counter';
    return 'other';
  }
}

/** Collects once from `reader`. */
export async function collect(reader: MetricReader): Promise<Collected> {
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw new AggregateError(errors, 'the collection reported errors');
  return new Collected(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics));
}
