// tidy(): tensors made while a scope is open are disposed when it ends, except the ones
// it returns (which move to the enclosing scope) and the ones kept with keep(). Scopes
// nest and are synchronous. The scope only holds what dispose() needs, so it does not
// import the Tensor class (tensor.ts imports this file).

export interface ScopedTensor {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Set<ScopedTensor>[] = [];

/** Called by every new tensor: the innermost open scope takes it. */
export function trackTensor(t: ScopedTensor): void {
  if (scopes.length > 0) scopes[scopes.length - 1].add(t);
}

/** Takes t out of every open scope (keep(), parameters, dispose()). */
export function untrackTensor(t: ScopedTensor): void {
  for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i].delete(t)) return;
}

/** Whether the innermost open scope made `t` (and would dispose it). */
export function madeInScope(t: ScopedTensor): boolean {
  return scopes.length > 0 && scopes[scopes.length - 1].has(t);
}

/** Marks `t` to survive the open tidy scopes (e.g. a gradient or optimizer state made inside one). */
export function keep<T extends ScopedTensor>(t: T): T {
  if (t === null || typeof t !== 'object' || typeof t.dispose !== 'function') throw new Error(`keep: expected a Tensor, got ${String(t)}`);
  untrackTensor(t);
  return t;
}

/** The tensors in a result: a tensor, or arrays / plain objects of them (nested). */
function collect(value: unknown, out: Set<unknown>, depth: number): void {
  if (value === null || typeof value !== 'object' || depth > 8) return;
  if (typeof (value as ScopedTensor).dispose === 'function' && 'isDisposed' in value) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype || value instanceof Map) {
    for (const v of value instanceof Map ? value.values() : Object.values(value)) collect(v, out, depth + 1);
  }
}

/** Runs fn and disposes every tensor made inside it except what it returns (a tensor, or
 * an array or plain object of them) and what keep() marked. Synchronous only: a promise
 * returned is an error (its tensors would be made after the scope ended). */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new Error(`tidy: expected a function, got ${String(fn)}`);
  const scope = new Set<ScopedTensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw error;
  }
  scopes.pop();
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    for (const t of scope) t.dispose();
    throw new Error('tidy: the function returned a promise; tidy scopes are synchronous (await outside, or tidy each synchronous step)');
  }
  const returned = new Set<unknown>();
  collect(result, returned, 0);
  const outer = scopes.length > 0 ? scopes[scopes.length - 1] : null;
  for (const t of scope) {
    if (returned.has(t)) outer?.add(t);
    else t.dispose();
  }
  return result;
}
