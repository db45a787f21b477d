import { describe, expect, it } from 'vitest';
import { defaultRedisUrl, defaults, parseDemoArgs, usage, UsageError } from './options';

describe('parseDemoArgs', () => {
  it('uses the defaults without flags', () => {
    expect(parseDemoArgs([])).toEqual({ ...defaults, batch: false, help: false });
  });

  it('reads every flag', () => {
    expect(
      parseDemoArgs(['--strategy', 'partition', '--capacity', '250', '--drop', 'oldest', '--duration', '2.5', '--batch', '--seed', '0']),
    ).toEqual({ strategy: 'partition', capacity: 250, drop: 'oldest', duration: 2.5, batch: true, seed: 0, help: false });
    expect(parseDemoArgs(['--strategy=broadcast']).strategy).toBe('broadcast');
    expect(parseDemoArgs(['-h']).help).toBe(true);
  });

  it('reads --workers, and leaves it out without the flag', () => {
    expect(parseDemoArgs(['--workers', '2'])).toEqual({ ...defaults, batch: false, help: false, workers: 2 });
    expect(parseDemoArgs(['--workers=1', '--strategy', 'demand', '--batch'])).toMatchObject({ workers: 1, strategy: 'demand', batch: true });
    expect(parseDemoArgs(['--workers', '3', '--strategy', 'greedy']).workers).toBe(3);
    expect('workers' in parseDemoArgs([])).toBe(false);
    expect(usage).toMatch(/^ {2}--workers <n>\s+n worker threads of a WorkerPool as the subscribers, an integer >= 1$/m);
  });

  it('reads --redis with or without a url, and leaves it out without the flag', () => {
    expect(defaultRedisUrl).toBe('redis://127.0.0.1:6379');
    expect(parseDemoArgs(['--redis'])).toEqual({ ...defaults, batch: false, help: false, redis: defaultRedisUrl });
    expect(parseDemoArgs(['--redis', '--duration', '3'])).toEqual({ ...defaults, batch: false, help: false, duration: 3, redis: defaultRedisUrl });
    expect(parseDemoArgs(['--seed', '4', '--redis'])).toMatchObject({ seed: 4, redis: defaultRedisUrl });
    expect(parseDemoArgs(['--redis', 'redis://10.0.0.5:6380', '--drop', 'oldest', '--capacity', '100'])).toEqual({
      ...defaults,
      batch: false,
      help: false,
      drop: 'oldest',
      capacity: 100,
      redis: 'redis://10.0.0.5:6380',
    });
    expect(parseDemoArgs(['--redis=rediss://user:secret@cache.example.com:6380/2']).redis).toBe('rediss://user:secret@cache.example.com:6380/2');
    expect('redis' in parseDemoArgs([])).toBe(false);
    expect(usage).toMatch(/^ {2}--redis \[url\]\s+a RedisBuffer on the Redis at url \(default: redis:\/\/127\.0\.0\.1:6379\):$/m);
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['extra'], 'extra'],
    [['--strategy', 'fastest'], "--strategy must be one of even, greedy, demand, broadcast, partition, received 'fastest'"],
    [['--capacity', '0'], "--capacity must be an integer >= 1, received '0'"],
    [['--capacity', '1.5'], "--capacity must be an integer >= 1, received '1.5'"],
    [['--capacity', 'lots'], "--capacity must be an integer >= 1, received 'lots'"],
    [['--capacity'], "Option '--capacity <value>' argument missing"],
    [['--drop', 'middle'], "--drop must be one of newest, oldest, received 'middle'"],
    [['--duration', '0'], "--duration must be a number of seconds > 0, received '0'"],
    [['--duration', 'soon'], "--duration must be a number of seconds > 0, received 'soon'"],
    [['--duration', ''], "--duration must be a number of seconds > 0, received ''"],
    [['--seed=-1'], "--seed must be an integer >= 0, received '-1'"],
    [['--seed', 'x1'], "--seed must be an integer >= 0, received 'x1'"],
    [['--workers', '0'], "--workers must be an integer >= 1, received '0'"],
    [['--workers', '2.5'], "--workers must be an integer >= 1, received '2.5'"],
    [['--workers', 'two'], "--workers must be an integer >= 1, received 'two'"],
    [['--workers'], "Option '--workers <value>' argument missing"],
    [['--workers', '2', '--strategy', 'broadcast'], "--strategy with --workers must be one of even, greedy, demand, received 'broadcast'"],
    [['--strategy', 'partition', '--workers', '2'], "--strategy with --workers must be one of even, greedy, demand, received 'partition'"],
    [['--redis', 'localhost:6379'], "--redis must be a redis:// or rediss:// url, received 'localhost:6379'"],
    [['--redis', 'http://127.0.0.1:6379'], "--redis must be a redis:// or rediss:// url, received 'http://127.0.0.1:6379'"],
    [['--redis='], "--redis must be a redis:// or rediss:// url, received ''"],
    [['--redis', '--workers', '2'], '--redis cannot be combined with --workers'],
    [['--strategy', 'even', '--redis'], '--redis cannot be combined with --strategy'],
    [['--redis', '--batch'], '--redis cannot be combined with --batch'],
    [['--redis', '--duration', '0'], "--duration must be a number of seconds > 0, received '0'"],
  ])('rejects %j', (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(UsageError);
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });
});
