export { BufferServer } from './buffer-server';
export { BatchingBufferServer } from './batching-buffer-server';
export { DeliveryError, FlushError, ServerErrorCode } from './errors';
export { Channel } from './channel';
export { DataBuffer } from './data-buffer';
export { EmitterGroup, emitterName, topic } from './emitter-group';

export type { BufferServerOptions, ServerCloseOptions, ServerMetrics, ServerStats, WriteOptions } from './server-types';
export type { BatchingBufferServerOptions } from './batching-buffer-server';
export type { Subscription, SubscribeOptions } from './subscription';
export type { ChannelReadResult, ChannelWaitOptions } from './channel';
export type { DataBufferCloseOptions, DataBufferMetrics, DataBufferOptions } from './data-buffer';
export type { FlushFailure } from './errors';
export type { Emitter, EmitterGroupOptions, EmitterMessage } from './emitter-group';
