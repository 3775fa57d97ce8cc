// Just enough of resource.Quantity for validation: "500m", "1Gi", "2e3", "1.5" parsed to an exact BigInt count
// of nano-units and compared. Upstream rounds requests/limits to milli-units, so nano precision is ample.

export const quantityFormatMsg = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const quantityRe = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?[0-9]+)?$/;

const binary: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const decimalExp: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** The value in nano-units (10^-9), or undefined if the text is not a quantity. */
export function parseQuantity(text: string | number): bigint | undefined {
  const s = String(text).trim();
  const m = quantityRe.exec(s);
  if (!m) return undefined;
  const [, sign, num, suffix = ''] = m;
  const [intPart, fracPart = ''] = num.split('.');
  // Digits scaled by 10^9 so fractions down to nano survive.
  const frac9 = (fracPart + '000000000').slice(0, 9);
  let nano = BigInt(intPart || '0') * 1_000_000_000n + BigInt(frac9);
  if (suffix in binary) {
    nano *= binary[suffix];
  } else {
    const exp = suffix.startsWith('e') || suffix.startsWith('E') ? Number(suffix.slice(1)) : decimalExp[suffix];
    if (exp >= 0) nano *= 10n ** BigInt(exp);
    else nano /= 10n ** BigInt(-exp);
  }
  return sign === '-' ? -nano : nano;
}

export function compareQuantities(a: string | number, b: string | number): number | undefined {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === undefined || y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}
