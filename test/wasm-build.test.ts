// The three wasm builds come from one source by compile-time feature branches; check the
// binaries really differ the way they must: no SIMD instruction at all in 'scalar' (so an
// engine without SIMD can load it), SIMD but no relaxed-SIMD in 'simd', and the fused
// multiply-add in 'relaxed'. Disassembled with binaryen (AssemblyScript's own backend).
import { readFileSync } from 'node:fs';
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';

function disassemble(variant: string): string {
  const module = binaryen.readBinary(readFileSync(new URL(`../build/simdnet.${variant}.wasm`, import.meta.url)));
  try {
    module.setFeatures(binaryen.Features.All);
    return module.emitText();
  } finally {
    module.dispose();
  }
}

const SIMD_OP = /\b(v128|[if](8x16|16x8|32x4|64x2))\./;
const RELAXED_OP = /\brelaxed_/;

describe('wasm builds', () => {
  it("'scalar' holds no SIMD instruction", () => {
    const text = disassemble('scalar');
    expect(text).toContain('(export "sgemm"');
    expect(text.match(SIMD_OP)?.[0] ?? null).toBeNull();
  });

  it("'simd' uses SIMD but no relaxed-SIMD instruction", () => {
    const text = disassemble('simd');
    expect(text).toMatch(/f32x4\.mul/);
    expect(text.match(RELAXED_OP)?.[0] ?? null).toBeNull();
  });

  it("'relaxed' multiplies and adds with f32x4.relaxed_madd", () => {
    expect(disassemble('relaxed')).toMatch(/f32x4\.relaxed_madd/);
  });
});
