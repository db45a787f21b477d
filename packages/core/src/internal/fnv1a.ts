// The one string hash of dispenser: 32-bit FNV-1a over UTF-8 bytes, stable across runs and platforms.

const OFFSET_BASIS = 0x811c9dc5;
const PRIME = 0x01000193;

/**
 * 32-bit FNV-1a over the UTF-8 bytes of `text`, as an unsigned integer: the same text always gives
 * the same number, on every platform and run. A lone surrogate is encoded as its own three bytes
 * (as WTF-8 does) rather than replaced, so distinct strings stay distinct. Encodes on the fly,
 * without allocating.
 *
 * Used by the default partition hash of `PartitionDispatcher` and by `DataBuffer` to spread keys
 * over its lanes.
 */
export function fnv1a(text: string): number {
  let hash = OFFSET_BASIS;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code < 0x80) {
      hash = Math.imul(hash ^ code, PRIME);
    } else if (code < 0x800) {
      hash = Math.imul(hash ^ (0xc0 | (code >> 6)), PRIME);
      hash = Math.imul(hash ^ (0x80 | (code & 0x3f)), PRIME);
    } else if (code < 0x10000) {
      hash = Math.imul(hash ^ (0xe0 | (code >> 12)), PRIME);
      hash = Math.imul(hash ^ (0x80 | ((code >> 6) & 0x3f)), PRIME);
      hash = Math.imul(hash ^ (0x80 | (code & 0x3f)), PRIME);
    } else {
      hash = Math.imul(hash ^ (0xf0 | (code >> 18)), PRIME);
      hash = Math.imul(hash ^ (0x80 | ((code >> 12) & 0x3f)), PRIME);
      hash = Math.imul(hash ^ (0x80 | ((code >> 6) & 0x3f)), PRIME);
      hash = Math.imul(hash ^ (0x80 | (code & 0x3f)), PRIME);
    }
  }
  return hash >>> 0;
}
