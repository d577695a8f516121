// Option checking shared by the model builders.

export interface ClassifierOptions {
  /** Output classes (default 1000, ImageNet's). */
  numClasses?: number;
}

/** Validates a classifier's options: only known keys, numClasses a positive integer. */
export function checkClassifierOptions(name: string, options: unknown, extra: readonly string[] = []): Required<ClassifierOptions> & Record<string, unknown> {
  if (options === undefined) return { numClasses: 1000 };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new Error(`${name}: options must be an object, got ${String(options)}`);
  const known = ['numClasses', ...extra];
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`${name}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ')})`);
  const o = options as Record<string, unknown>;
  const numClasses = o.numClasses ?? 1000;
  if (!Number.isInteger(numClasses) || (numClasses as number) < 1) throw new Error(`${name}: numClasses must be a positive integer, got ${String(numClasses)}`);
  return { ...o, numClasses: numClasses as number };
}

/** torchvision's _make_divisible: the nearest multiple of divisor, never more than 10% below v. */
export function makeDivisible(v: number, divisor = 8): number {
  let out = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}
