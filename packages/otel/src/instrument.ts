// instrument(): OpenTelemetry observable instruments over the stats() and metrics() of a dispenser server.
import { describeValue } from '@dispenser/core/internal';
import type { BatchObservableCallback, Meter, Observable, ValueType } from '@opentelemetry/api';
import { fieldConvention, instrumentKind, instrumentName } from './conventions';
import { resolveInstrumentOptions, type InstrumentOptions } from './options';

/**
 * What {@link instrument} reads: a dispenser server (`BufferServer`, `BatchingBufferServer`,
 * `BroadcastServer`), a `DataBuffer` (which has `metrics()` but no `stats()`), or any object with
 * the same methods.
 */
export interface InstrumentedServer {
  /** Levels, read on every collection and reported as gauges: `{ buffered, subscribed, demand }` for the servers. */
  stats?(): object;
  /** Running totals, read on every collection and reported as counters: `{ appended, dropped, delivered, failed }` for the servers. */
  metrics(): object;
}

/** The handle {@link instrument} returns. */
export interface Instrumentation {
  /**
   * Unregisters the callback that reads the server: from now on nothing more of it is observed
   * (the instruments stay on the meter, as OpenTelemetry cannot remove them). Idempotent.
   */
  close(): void;
}

/** `ValueType.INT` of `@opentelemetry/api`, without importing the enum at run time. */
const INT: ValueType.INT = 0;

/** One field of `stats()` or `metrics()` and the instrument it is reported on. */
interface Reading {
  readonly source: 'stats' | 'metrics';
  readonly field: string;
  readonly observable: Observable;
}

/**
 * Reports the `stats()` and `metrics()` of a dispenser server as OpenTelemetry metrics: an
 * observable gauge for each numeric field of `stats()` and an observable counter (monotonic) for
 * each numeric field of `metrics()`, named `dispenser.server.<field in snake_case>`, with the
 * attribute `dispenser.server.name` set to `options.name` (and `options.attributes`) on every
 * measurement. One batch callback reads both on each collection (one `stats()` and one
 * `metrics()` call per collection, however many instruments).
 *
 * For a `BufferServer`, `BatchingBufferServer` or `BroadcastServer` (whose `delivered`,
 * `dropped` and `failed` count (event, subscriber) copies, summed over its subscribers):
 *
 * | instrument | kind | unit | what |
 * | --- | --- | --- | --- |
 * | `dispenser.server.buffered` | gauge | `{event}` | `stats().buffered` |
 * | `dispenser.server.subscribed` | gauge | `{subscriber}` | `stats().subscribed` |
 * | `dispenser.server.demand` | gauge | `{event}` | `stats().demand` |
 * | `dispenser.server.appended` | counter | `{event}` | `metrics().appended` |
 * | `dispenser.server.dropped` | counter | `{event}` | `metrics().dropped` |
 * | `dispenser.server.delivered` | counter | `{event}` | `metrics().delivered` |
 * | `dispenser.server.failed` | counter | `{event}` | `metrics().failed` |
 *
 * A `DataBuffer` (no `stats()`) gives the counters `dispenser.server.inserted`, `.flushed`,
 * `.handed_to_on_error` (`{event}`) and `.failed_attempts` (`{attempt}`), and the gauge
 * `dispenser.server.buffered` (its `metrics().buffered` is a level, not a total).
 *
 * **When to use:** to export the health of your servers through the OpenTelemetry SDK you already
 * run (OTLP, Prometheus…), with one call per server. Instrument several servers on the same meter
 * with different names: they share the instruments and differ by `dispenser.server.name`.
 *
 * **Gotchas:**
 * - The fields are found by reading `stats()` and `metrics()` once, now: a field that appears
 *   later is not reported, one that is missing or not a finite number at a collection is skipped
 *   for that collection. Field names other than letters, digits and `_` are not reported; fields
 *   dispenser does not know get a generic description, no unit and floating-point values.
 * - When `stats()` or `metrics()` throws during a collection, this server reports nothing for
 *   that collection (the error is swallowed, so one broken server cannot break the exporter or
 *   the other servers' metrics): the gap in its series is the sign.
 * - Call `close()` when the server is gone: until then the meter keeps the callback, and with
 *   it the server, alive.
 * - The attributes are copied now; changing the object later changes nothing.
 *
 * @param server - the server to read; kept until `close()`
 * @param options - see {@link InstrumentOptions}
 * @returns a handle whose `close()` stops the observation
 * @throws TypeError for a `server` without a `metrics()` method (or with a `stats` that is not a
 *   function), a `stats()` or `metrics()` that does not return an object, or bad options
 *   (see {@link InstrumentOptions}); whatever `stats()` or `metrics()` throws when first read
 * @throws RangeError for an empty `options.name`
 * @example
 * ```ts
 * import { EventBuffer } from '@dispenser/core';
 * import { instrument } from '@dispenser/otel';
 * import { BufferServer } from '@dispenser/servers';
 * import { even } from '@dispenser/strategies';
 * import { metrics } from '@opentelemetry/api';
 *
 * const server = new BufferServer<string>({ buffer: new EventBuffer({ strategy: even, capacity: 100 }) });
 * const instrumentation = instrument(server, {
 *   meter: metrics.getMeter('orders-service'),
 *   name: 'orders',
 *   attributes: { 'deployment.environment.name': 'production' },
 * });
 * // ... later, when the server is closed:
 * instrumentation.close();
 * ```
 */
export function instrument(server: InstrumentedServer, options: InstrumentOptions): Instrumentation {
  const hasStats = assertServer('server', server);
  const { meter, attributes } = resolveInstrumentOptions(options);
  const readings = plan(meter, [
    ...(hasStats ? ([['stats', firstRead('server.stats()', () => server.stats?.())]] as const) : []),
    ['metrics', firstRead('server.metrics()', () => server.metrics())],
  ]);
  let target: InstrumentedServer | undefined = server;

  const callback: BatchObservableCallback = (result) => {
    const current = target;
    if (current === undefined) return;
    let stats: unknown;
    let metrics: unknown;
    try {
      stats = hasStats ? current.stats?.() : undefined;
      metrics = current.metrics();
    } catch {
      return; // documented: nothing for this collection rather than an error in the exporter
    }
    for (const { source, field, observable } of readings) {
      const value = read(source === 'stats' ? stats : metrics, field);
      if (value !== undefined) result.observe(observable, value, attributes);
    }
  };
  const observables = readings.map((reading) => reading.observable);
  if (observables.length > 0) meter.addBatchObservableCallback(callback, observables);

  return {
    close(): void {
      if (target === undefined) return;
      target = undefined;
      if (observables.length > 0) meter.removeBatchObservableCallback(callback, observables);
    },
  };
}

/** Checks `value` is a server `instrument` can read; returns whether it has `stats()`. */
function assertServer(name: string, value: unknown): boolean {
  const server = value as { stats?: unknown; metrics?: unknown } | null;
  if (server === null || (typeof server !== 'object' && typeof server !== 'function') || typeof server.metrics !== 'function') {
    throw new TypeError(
      `${name} must have a metrics() method (a BufferServer, BatchingBufferServer or DataBuffer), received ${describeValue(value)}`,
    );
  }
  if (server.stats !== undefined && typeof server.stats !== 'function') {
    throw new TypeError(`${name}.stats must be a function when present, received ${describeValue(server.stats)}`);
  }
  return server.stats !== undefined;
}

/** The result of a first call of `stats()` or `metrics()`, checked to be an object. */
function firstRead(name: string, call: () => unknown): object {
  const value = call();
  if (value === null || typeof value !== 'object') {
    throw new TypeError(`${name} must return an object, received ${describeValue(value)}`);
  }
  return value;
}

/**
 * Creates an instrument for each numeric field of each source, in order; a field whose
 * instrument name is already taken (by `stats()`, which comes first) is left out.
 */
function plan(meter: Meter, sources: ReadonlyArray<readonly ['stats' | 'metrics', object]>): Reading[] {
  const readings: Reading[] = [];
  const taken = new Set<string>();
  for (const [source, sample] of sources) {
    for (const field of Object.keys(sample)) {
      const name = instrumentName(field);
      if (name === undefined || taken.has(name) || read(sample, field) === undefined) continue;
      taken.add(name);
      const known = fieldConvention(field);
      const description = known?.description ?? `${source}().${field} of a dispenser server.`;
      const descriptor = known === undefined ? { description } : { description, unit: known.unit, valueType: INT };
      const observable =
        instrumentKind(source, field) === 'gauge'
          ? meter.createObservableGauge(name, descriptor)
          : meter.createObservableCounter(name, descriptor);
      readings.push({ source, field, observable });
    }
  }
  return readings;
}

/** `source[field]` when `source` is an object and the value a finite number, else `undefined`. */
function read(source: unknown, field: string): number | undefined {
  if (source === null || typeof source !== 'object') return undefined;
  const value = (source as Record<string, unknown>)[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
