/**
 * Servers that push buffered events to subscribers, plus channels, a keyed flush buffer and emitter groups.
 *
 * @packageDocumentation
 * @module @dispenser/servers
 */
export { BufferServer } from './buffer-server';
export { BatchingBufferServer } from './batching-buffer-server';
export { BroadcastServer } from './broadcast-server';
export { DeliveryError, FlushError, ServerErrorCode } from './errors';
export { Channel } from './channel';
export { DataBuffer } from './data-buffer';
export { EmitterGroup, emitterName, topic } from './emitter-group';

export type {
  BroadcastBound,
  BroadcastServerOptions,
  BufferOption,
  BufferServerOptions,
  BufferShorthand,
  IdleOptions,
  ServerCloseOptions,
  ServerMetrics,
  ServerOptions,
  ServerStats,
  SubscriberStats,
  WriteOptions,
} from './server-types';
export type { BatchingBufferServerOptions, BatchingOptions } from './batching-buffer-server';
export type { BroadcastSubscribeOptions, Subscription, SubscribeOptions } from './subscription';
export type { ChannelReadResult, ChannelWaitOptions } from './channel';
export type { DataBufferCloseOptions, DataBufferMetrics, DataBufferOptions } from './data-buffer';
export type { FlushFailure } from './errors';
export type { Emitter, EmitterGroupOptions, EmitterMessage } from './emitter-group';
