// The names, units and kinds of the instruments, after OpenTelemetry's semantic conventions for metrics.

/** The namespace of every instrument: `dispenser.server.<field>`. */
export const NAMESPACE = 'dispenser.server';

/**
 * The attribute that tells instrumented servers apart: `options.name` of `instrument()`. Instrument
 * names stay the same for every server; instances differ by their attributes.
 */
export const SERVER_NAME_ATTRIBUTE = 'dispenser.server.name';

/** How a field is reported: a gauge (a level read as is) or a monotonic counter (a running total). */
export type InstrumentKind = 'gauge' | 'counter';

/** The unit and description of a field whose meaning dispenser knows. */
export interface FieldConvention {
  /** A UCUM unit or an `{annotation}` for a count of things. */
  readonly unit: string;
  readonly description: string;
}

/**
 * The fields of `stats()` and `metrics()` of the dispenser servers (`BufferServer`,
 * `BatchingBufferServer`, `BroadcastServer`, `DataBuffer`), by field name. A field not listed here is still reported,
 * with a generic description, no unit and floating-point values.
 */
const KNOWN_FIELDS: Readonly<Record<string, FieldConvention>> = {
  buffered: { unit: '{event}', description: 'Events held in the buffer now.' },
  subscribed: { unit: '{subscriber}', description: 'Subscribers subscribed now.' },
  demand: { unit: '{event}', description: 'Outstanding demand: events subscribers asked for and did not receive yet.' },
  appended: { unit: '{event}', description: 'Events taken in by append and write.' },
  dropped: { unit: '{event}', description: 'Events the buffer dropped or discarded.' },
  delivered: { unit: '{event}', description: 'Events handed to subscribers that took them.' },
  failed: { unit: '{event}', description: 'Events whose delivery failed and that did not go back to the buffer.' },
  inserted: { unit: '{event}', description: 'Values inserted into a DataBuffer.' },
  flushed: { unit: '{event}', description: 'Values whose flush succeeded.' },
  failedAttempts: { unit: '{attempt}', description: 'Calls to flush that threw or rejected.' },
  handedToOnError: { unit: '{event}', description: 'Values handed to onError after their flush attempts failed.' },
};

/**
 * Fields of `metrics()` that are levels, not running totals (`DataBuffer`'s `buffered`): reported
 * as gauges like the fields of `stats()`, since a counter must never go down.
 */
const LEVELS: readonly string[] = ['buffered'];

/** Field names that make a valid instrument name once converted: letters, digits and `_`, a letter first. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * The instrument name of a field: `dispenser.server.` and the field in snake_case
 * (`failedAttempts` → `dispenser.server.failed_attempts`), or `undefined` for a field whose name
 * cannot be one (it is not reported).
 *
 * @example
 * ```ts
 * instrumentName('buffered');       // 'dispenser.server.buffered'
 * instrumentName('handedToOnError'); // 'dispenser.server.handed_to_on_error'
 * instrumentName('not a name');     // undefined
 * ```
 */
export function instrumentName(field: string): string | undefined {
  if (!FIELD_NAME.test(field)) return undefined;
  const snake = field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return `${NAMESPACE}.${snake}`;
}

/**
 * How a field is reported: every field of `stats()` as a gauge; every field of `metrics()` as a
 * counter, except the levels among them (`buffered`), which are gauges.
 *
 * @example
 * ```ts
 * instrumentKind('stats', 'subscribed');  // 'gauge'
 * instrumentKind('metrics', 'delivered'); // 'counter'
 * instrumentKind('metrics', 'buffered');  // 'gauge'
 * ```
 */
export function instrumentKind(source: 'stats' | 'metrics', field: string): InstrumentKind {
  return source === 'stats' || LEVELS.includes(field) ? 'gauge' : 'counter';
}

/**
 * The unit and description of a known field, or `undefined` for a field dispenser does not know.
 *
 * @example
 * ```ts
 * fieldConvention('subscribed')?.unit; // '{subscriber}'
 * fieldConvention('toString');         // undefined
 * ```
 */
export function fieldConvention(field: string): FieldConvention | undefined {
  return Object.hasOwn(KNOWN_FIELDS, field) ? KNOWN_FIELDS[field] : undefined;
}
