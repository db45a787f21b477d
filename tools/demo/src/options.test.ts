import { describe, expect, it } from 'vitest';
import { defaults, parseDemoArgs, UsageError } from './options';

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
  ])('rejects %j', (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(UsageError);
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });
});
