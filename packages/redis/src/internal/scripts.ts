// Runs the Lua scripts by their SHA1, sending the source once when the server does not have it.
import { createHash } from 'node:crypto';
import { GroupMissingError, RedisCommandError } from '../errors';
import type { Connection, Reply } from './connection';

/** A script and its SHA1. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

/**
 * Prepares `source` for {@link runScript}.
 *
 * @example
 * ```ts
 * const ping = script("return 'PONG'");
 * ```
 */
export function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Runs `target` with `EVALSHA`, and with `EVAL` when the server answers `NOSCRIPT` (it restarted,
 * or `SCRIPT FLUSH` ran), which also loads it for the next call.
 *
 * @throws GroupMissingError when the script found the stream without its group; RedisCommandError otherwise
 */
export async function runScript(connection: Connection, target: Script, keys: readonly string[], args: readonly string[]): Promise<Reply> {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await connection.send(['EVALSHA', target.sha, ...tail], keys[0] ?? '');
  } catch (error) {
    if (!messageOf(error).startsWith('NOSCRIPT')) throw commandError('EVALSHA', error, keys[0]);
  }
  try {
    return await connection.send(['EVAL', target.source, ...tail], keys[0] ?? '');
  } catch (error) {
    throw commandError('EVAL', error, keys[0]);
  }
}

/**
 * The typed error for a failed command: {@link GroupMissingError} for a `NOGROUP` reply,
 * {@link RedisCommandError} for anything else.
 */
export function commandError(command: string, error: unknown, stream: string | undefined): Error {
  const message = messageOf(error);
  if (message.includes('NOGROUP')) return new GroupMissingError(stream ?? '?', error);
  return new RedisCommandError(command, error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
