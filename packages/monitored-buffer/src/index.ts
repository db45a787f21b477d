/**
 * Monitors and a subscription manager that cancel the demand of subscribers that go away.
 *
 * @packageDocumentation
 * @module @dispenser/monitored-buffer
 */
export { signalMonitor } from './monitor';
export { SubscriptionManager } from './subscription-manager';
export { MonitoredBuffer } from './monitored-buffer';

export type { Monitor, MonitorRef, DownResult, SignalSubscriber } from './monitor';
export type { SubscriptionManagerOptions } from './subscription-manager';
export type { MonitoredBufferOptions, MonitoredBufferStats } from './monitored-buffer';
