import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { fnv1a } from './fnv1a';

/** FNV-1a the slow, obvious way: over the bytes Buffer encodes (equal to WTF-8 for well-formed text). */
function reference(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

describe('fnv1a', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('hashes %j to the published FNV-1a test vector', (text, expected) => {
    expect(fnv1a(text)).toBe(expected);
  });

  it('hashes the UTF-8 bytes of non-ASCII text, surrogate pairs included', () => {
    for (const text of ['é', 'naïve', '日本', '😀', 'a😀b']) expect(fnv1a(text)).toBe(reference(text));
  });

  it('keeps lone surrogates apart instead of replacing them', () => {
    expect(fnv1a('\ud800')).not.toBe(fnv1a('\ufffd'));
    expect(fnv1a('\ud800')).not.toBe(fnv1a('\udc00'));
  });

  test.prop([fc.string({ unit: 'grapheme' })])('matches the byte-wise definition on well-formed text', (text) => {
    expect(fnv1a(text)).toBe(reference(text));
  });
});
