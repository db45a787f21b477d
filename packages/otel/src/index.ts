/**
 * OpenTelemetry gauges and counters for a dispenser server.
 *
 * @packageDocumentation
 * @module @dispenser/otel
 */
export { instrument } from './instrument';

export type { Instrumentation, InstrumentedServer } from './instrument';
export type { InstrumentOptions } from './options';
