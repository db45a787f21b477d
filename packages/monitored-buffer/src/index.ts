export { signalMonitor } from './monitor';
export { SubscriptionManager } from './subscription-manager';
export { MonitoredBuffer } from './monitored-buffer';

export type { Monitor, MonitorRef, DownResult } from './monitor';
export type { SubscriptionManagerOptions } from './subscription-manager';
export type { MonitoredBufferOptions } from './monitored-buffer';
