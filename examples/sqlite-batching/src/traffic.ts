// Made-up but repeatable traffic: which page the n-th view is of, most views on the first pages.

/** The pages of the example site. */
export const defaultPages: readonly string[] = ['/', '/docs', '/pricing', '/blog', '/about'];

const goldenRatio = (Math.sqrt(5) - 1) / 2;

/**
 * The page of view `id`: a low-discrepancy sequence, squared so the first pages get most views
 * (with five pages, `/` gets about 45 % of them). The same for the same `id`, run after run.
 */
export function pageOf(id: number, pages: readonly string[] = defaultPages): string {
  const x = (id * goldenRatio) % 1;
  const page = pages[Math.floor(x * x * pages.length)];
  if (page === undefined) throw new RangeError('pages must not be empty');
  return page;
}
