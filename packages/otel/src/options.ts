// The options of `instrument()` and their checks.
import { assertKnownKeys, assertObject, describeValue } from '@dispenser/core/internal';
import type { Attributes, AttributeValue, Meter } from '@opentelemetry/api';
import { SERVER_NAME_ATTRIBUTE } from './conventions';

/** Options of {@link instrument}. */
export interface InstrumentOptions {
  /**
   * The meter the instruments are created on, for example
   * `metrics.getMeter('my-service')` from `@opentelemetry/api`, or `provider.getMeter(...)` of an
   * SDK `MeterProvider`.
   */
  meter: Meter;
  /**
   * Tells this server apart from the others: reported as the attribute `dispenser.server.name` on
   * every measurement (the instrument names are the same for every server). A non-empty string.
   */
  name: string;
  /**
   * More attributes for every measurement of this server, for example
   * `{ 'deployment.environment.name': 'production' }`. `dispenser.server.name` is taken from
   * `name` and may not be set here.
   * @default {}
   */
  attributes?: Attributes;
}

/** The option names of `instrument`, checked by `assertKnownKeys`; the `satisfies` keeps them complete. */
const OPTION_KEYS = /*#__PURE__*/ Object.keys({
  meter: true,
  name: true,
  attributes: true,
} satisfies Record<keyof InstrumentOptions, true>);

/** The `Meter` methods `instrument` calls. */
const METER_METHODS = [
  'createObservableGauge',
  'createObservableCounter',
  'addBatchObservableCallback',
  'removeBatchObservableCallback',
] as const;

/** Checked options: the meter, and the attributes of every measurement, `dispenser.server.name` included. */
export interface ResolvedInstrumentOptions {
  readonly meter: Meter;
  readonly attributes: Readonly<Attributes>;
}

/**
 * Checks the options of `instrument()` and merges `name` into a copy of `attributes`.
 *
 * @throws TypeError for a non-object, an unknown key (listing the known ones), a `meter` without
 *   the methods `instrument` calls, a `name` that is not a string, `attributes` that are not an
 *   object of attribute values, or `attributes` that set `dispenser.server.name`; each names the
 *   option as written (`options.meter`)
 * @throws RangeError for an empty (or blank) `name`
 * @example
 * ```ts
 * const { meter, attributes } = resolveInstrumentOptions({ meter: someMeter, name: 'orders' });
 * attributes; // { 'dispenser.server.name': 'orders' }
 * ```
 */
export function resolveInstrumentOptions(options: InstrumentOptions): ResolvedInstrumentOptions {
  assertObject('options', options);
  assertKnownKeys('options', options, OPTION_KEYS);
  const { meter, name, attributes = {} } = options;
  assertMeter('options.meter', meter);
  if (typeof name !== 'string') {
    throw new TypeError(`options.name must be a non-empty string, received ${describeValue(name)}`);
  }
  if (name.trim() === '') {
    throw new RangeError(`options.name must be a non-empty string, received ${describeValue(name)}`);
  }
  return { meter, attributes: Object.freeze({ ...copyAttributes('options.attributes', attributes), [SERVER_NAME_ATTRIBUTE]: name }) };
}

function assertMeter(name: string, value: unknown): asserts value is Meter {
  const meter = value as Partial<Record<(typeof METER_METHODS)[number], unknown>> | null;
  if (meter === null || typeof meter !== 'object' || METER_METHODS.some((method) => typeof meter[method] !== 'function')) {
    throw new TypeError(
      `${name} must be an OpenTelemetry Meter (with ${METER_METHODS.join(', ')}), received ${describeValue(value)}`,
    );
  }
}

/** A copy of `value` checked to be attributes: the `undefined` values left out, arrays copied. */
function copyAttributes(name: string, value: unknown): Attributes {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object of attribute values, received ${describeValue(value)}`);
  }
  const copy: Attributes = {};
  for (const [key, attribute] of Object.entries(value)) {
    if (attribute === undefined) continue;
    if (key === SERVER_NAME_ATTRIBUTE) {
      throw new TypeError(`${name} must not set ${JSON.stringify(SERVER_NAME_ATTRIBUTE)}: it is options.name`);
    }
    if (!isAttributeValue(attribute)) {
      throw new TypeError(
        `${name}[${JSON.stringify(key)}] must be a string, a number, a boolean or an array of one of them, received ${describeArray(attribute)}`,
      );
    }
    copy[key] = Array.isArray(attribute) ? (attribute.slice() as typeof attribute) : attribute;
  }
  return copy;
}

function isPrimitive(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * An OpenTelemetry attribute value: a string, number or boolean, or an array of one of these types
 * (`null` and `undefined` items allowed).
 */
function isAttributeValue(value: unknown): value is AttributeValue {
  if (isPrimitive(value)) return true;
  if (!Array.isArray(value)) return false;
  const types = new Set<string>();
  for (const item of value) {
    if (item === null || item === undefined) continue;
    if (!isPrimitive(item)) return false;
    types.add(typeof item);
  }
  return types.size <= 1;
}

/** `describeValue`, with the item types of an array (`an array of string, number`). */
function describeArray(value: unknown): string {
  if (!Array.isArray(value)) return describeValue(value);
  const items = [...new Set(value.map((item) => (item === null ? 'null' : typeof item)))];
  return items.length === 0 ? 'an array' : `an array of ${items.join(', ')}`;
}
