// Which wasm variants this engine runs, asked the way the spec intends: WebAssembly.validate
// on the smallest modules that use the feature (a function returning a v128 built with
// i8x16.splat; the relaxed probe adds f32x4.relaxed_madd). No user-agent sniffing.

export type WasmVariant = 'scalar' | 'simd' | 'relaxed';

/** Best first. */
export const WASM_VARIANTS: readonly WasmVariant[] = ['relaxed', 'simd', 'scalar'];

/** A module with one function `() -> v128` whose body is `body` (without the end opcode). */
function probe(body: number[]): Uint8Array {
  const code = [0x00, ...body, 0x0b]; // no locals, body, end
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
    0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
    0x0a, code.length + 2, 0x01, code.length, ...code, // code section
  ]);
}

const SPLAT_ZERO = [0x41, 0x00, 0xfd, 0x0f]; // i32.const 0; i8x16.splat
const SIMD_PROBE = probe(SPLAT_ZERO);
const RELAXED_PROBE = probe([...SPLAT_ZERO, ...SPLAT_ZERO, ...SPLAT_ZERO, 0xfd, 0x85, 0x02]); // f32x4.relaxed_madd

function validates(bytes: Uint8Array): boolean {
  try {
    return WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}

/** Whether the engine can run a variant. */
export function supportsVariant(variant: WasmVariant): boolean {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return false;
  switch (variant) {
    case 'scalar':
      return true;
    case 'simd':
      return validates(SIMD_PROBE);
    case 'relaxed':
      return validates(SIMD_PROBE) && validates(RELAXED_PROBE);
  }
}

/** The fastest variant the engine validates. */
export function bestVariant(): WasmVariant {
  for (const v of WASM_VARIANTS) if (supportsVariant(v)) return v;
  return 'scalar';
}
