// Mirrors convlab.questions.seeds: mulberry32, numbers drawn from a 32-bit seed.

/** mulberry32: the same numbers as convlab.questions.seeds.Draw for the same seed. */
export class Draw {
  constructor(seed) {
    this.state = seed >>> 0;
  }

  /** The next number in [0, 1), a multiple of 2⁻³² (unit). */
  unit() {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number from `low` to `high`, both included (whole). */
  whole(low, high) {
    return low + Math.floor(this.unit() * (high - low + 1));
  }

  /** One of `items` (pick). */
  pick(items) {
    return items[this.whole(0, items.length - 1)];
  }

  /** A rows × cols grid of whole numbers from `low` to `high`, row by row (grid). */
  grid(rows, cols, low, high) {
    return Array.from({ length: rows }, () =>
      Array.from({ length: cols }, () => this.whole(low, high)),
    );
  }
}

/** A fresh seed for "Another one": any 32-bit number. */
export function freshSeed() {
  return Math.floor(Math.random() * 4294967296) >>> 0;
}
