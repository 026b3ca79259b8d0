// The matmul program table: every variant, and the ProgramSpec for one (variant, layout, epilogue, dtype).
// Shaders: shaders/matmul-tiled.wgsl (workgroup memory), matmul-reg.wgsl (register blocks from global
// memory), matmul-reg4.wgsl (register blocks, vec4 loads, 4x4 WGSL matrices).
import type { ProgramSpec } from '../program';
import { DROP_UNIFORMS } from './dropout';

export type MatmulKind = 'tiled' | 'reg' | 'reg4';

export interface MatmulVariant {
  readonly name: string;
  readonly kind: MatmulKind;
  /** Invocations per workgroup along N (x) and M (y). */
  readonly wg: readonly [number, number];
  /** Outputs per invocation along M and N: 4 x 4 in every shader (four vec4 accumulators). */
  readonly rm: 4;
  readonly rn: 4;
  /** K depth of one workgroup-memory slab (tiled only). */
  readonly tk?: number;
}

export const VARIANT_TABLE: readonly MatmulVariant[] = [
  { name: 'tiled-64x64', kind: 'tiled', wg: [16, 16], rm: 4, rn: 4, tk: 16 },
  { name: 'tiled-32x32', kind: 'tiled', wg: [8, 8], rm: 4, rn: 4, tk: 16 },
  { name: 'reg-4x4', kind: 'reg', wg: [8, 8], rm: 4, rn: 4 },
  { name: 'reg-4x4-wg16', kind: 'reg', wg: [16, 16], rm: 4, rn: 4 },
  { name: 'reg4-4x4', kind: 'reg4', wg: [8, 8], rm: 4, rn: 4 },
  { name: 'reg4-4x4-wg16', kind: 'reg4', wg: [16, 16], rm: 4, rn: 4 },
];

export function variantNamed(name: string): MatmulVariant {
  const v = VARIANT_TABLE.find((x) => x.name === name);
  if (!v) throw new Error(`matmul: unknown variant "${name}"; known: ${VARIANT_TABLE.map((x) => x.name).join(', ')}`);
  return v;
}

/** Output rows (M) and columns (N) one workgroup covers. */
export function variantTile(v: MatmulVariant): { tm: number; tn: number } {
  return { tm: v.wg[1] * v.rm, tn: v.wg[0] * v.rn };
}

export interface ProgramKey {
  variant: MatmulVariant;
  transA: boolean;
  transB: boolean;
  /** out += result */
  accumulate: boolean;
  /** out = residual + result */
  residual: boolean;
  /** f16 operands (products in f16, sums in f32); out and residual stay f32. */
  f16: boolean;
  /** Dropout fused into the loads of a or b, the second product, or the store of the sum (before accumulate/residual). */
  drop?: MatmulDropSite | null;
  /** A second product op(A2) op(B2) added in the store; the flags are its layouts (vec4: see secondIsVec4). */
  second?: SecondLayout | null;
}

export type MatmulDropSite = 'a' | 'b' | 'out' | 'second';

export interface SecondLayout {
  transA: boolean;
  transB: boolean;
  /** Both operands contiguous along k (A2 (M,K2), B2 (N,K2)) with K2 % 4 == 0: read four k at a time. */
  vec4: boolean;
}

/** Whether a second product of this layout and depth takes the vec4 read (shaders/matmul-second-vec4.wgsl). */
export function secondIsVec4(transA: boolean, transB: boolean, K2: number): boolean {
  return !transA && transB && K2 % 4 === 0;
}

/** The second product's include and the element type its operands are bound as. */
export function secondShader(second: SecondLayout | null | undefined): { include: string; type: 'f32' | 'vec4<f32>' } {
  if (!second) return { include: 'matmul-second-none', type: 'f32' };
  return second.vec4 ? { include: 'matmul-second-vec4', type: 'vec4<f32>' } : { include: 'matmul-second', type: 'f32' };
}



const UNIFORMS = [
  'M', 'N', 'K', 'lda', 'ldb', 'ldo', 'ldr', 'sA', 'sB', 'sO', 'sR', 'offA', 'offB', 'offO', 'offR',
].map((name) => ({ name, type: 'u32' as const }));

/** Uniforms of the second product (shaders/matmul-second.wgsl). */
export const SEG2_UNIFORMS = [
  ...['K2', 'lda2', 'ldb2', 'offA2', 'offB2'].map((name) => ({ name, type: 'u32' as const })),
  { name: 'alpha2', type: 'f32' as const },
];

const cache = new Map<string, ProgramSpec>();

export function matmulProgram(k: ProgramKey): ProgramSpec {
  const v = k.variant;
  if (k.f16 && v.kind === 'reg4') throw new Error(`matmul: variant "${v.name}" has no f16 form`);
  if (k.f16 && (k.drop || k.second)) throw new Error('matmul: fused dropout and a second product take f32 operands only');
  if (k.drop === 'second' && !k.second) throw new Error('matmul: dropout on the second product needs a second product');
  const seg2 = k.second ? `:plus-${k.second.transA ? 't' : 'n'}${k.second.transB ? 't' : 'n'}${k.second.vec4 ? '4' : ''}` : '';
  const sec = secondShader(k.second);
  const id = `${v.name}:${k.transA ? 't' : 'n'}${k.transB ? 't' : 'n'}${k.accumulate ? ':acc' : ''}${k.residual ? ':res' : ''}${k.f16 ? ':f16' : ''}${seg2}${k.drop ? `:drop-${k.drop}` : ''}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const operand = v.kind === 'reg4' ? 'vec4<f32>' : k.f16 ? 'f16' : 'f32';
  const constants: Record<string, number | boolean> = {
    TRANS_A: k.transA,
    TRANS_B: k.transB,
    ACCUM: k.accumulate,
    RESID: k.residual,
    DROP_A: k.drop === 'a',
    DROP_B: k.drop === 'b',
    DROP_OUT: k.drop === 'out',
    DROP_SEG2: k.drop === 'second',
    SEG2: !!k.second,
    TRANS_A2: !!k.second?.transA,
    TRANS_B2: !!k.second?.transB,
  };
  if (v.kind === 'tiled') constants.TK = v.tk ?? 16;
  const spec: ProgramSpec = {
    name: `matmul_${id}`,
    shader: `matmul-${v.kind}`,
    includes: ['philox', 'dropout-fused', k.second ? sec.include : 'matmul-second', 'matmul-store'],
    workgroupSize: [v.wg[0], v.wg[1], 1],
    bindings: [
      { name: 'out', access: 'read_write', type: 'f32' },
      { name: 'a', access: 'read', type: operand },
      { name: 'b', access: 'read', type: operand },
      // Without a residual, `a` is bound here too (read-only twice is allowed) and never read.
      { name: 'residual', access: 'read', type: 'f32' },
      // The second product's operands (f32 only); `a` stands in without one (seen as f16 by an f16 program).
      { name: 'a2', access: 'read', type: k.f16 ? 'f16' : sec.type },
      { name: 'b2', access: 'read', type: k.f16 ? 'f16' : sec.type },
    ],
    uniforms: [...UNIFORMS, { name: 'alpha', type: 'f32' }, ...DROP_UNIFORMS, ...SEG2_UNIFORMS],
    constants,
    aliases: v.kind === 'reg4' ? {} : { IN: k.f16 ? 'f16' : 'f32' },
    f16: k.f16,
  };
  cache.set(id, spec);
  return spec;
}
