// A program is one WGSL compute entry point plus the TypeScript table that declares its bindings,
// uniforms and workgroup size. The WGSL header (bindings, uniform struct, workgroup constants) is
// generated from that table, so shader and host cannot disagree about names, order or types.

export type ElementType = 'f32' | 'f16' | 'u32' | 'i32' | 'vec4<f32>' | 'vec4<f16>' | 'vec2<u32>' | 'atomic<u32>' | 'atomic<i32>';

export interface BindingSpec {
  readonly name: string;
  /** 'read' for inputs, 'read_write' for outputs (and in-place updates). */
  readonly access: 'read' | 'read_write';
  readonly type: ElementType;
}

export type UniformType = 'u32' | 'i32' | 'f32';

export interface UniformSpec {
  readonly name: string;
  readonly type: UniformType;
}

/** Compile-time specialisation: `const NAME: T = value;` in the generated header. */
export type ConstantValue = number | boolean | { readonly type: 'u32' | 'i32' | 'f32'; readonly value: number };

export interface ProgramSpec {
  /** Kernel name, used for pipeline labels and error messages, e.g. "matmul_nt". */
  readonly name: string;
  /** WGSL file in shaders/ without the extension; it holds the body only (no bindings). */
  readonly shader: string;
  readonly entryPoint?: string;
  readonly bindings: readonly BindingSpec[];
  readonly uniforms?: readonly UniformSpec[];
  readonly workgroupSize: readonly [number, number?, number?];
  readonly constants?: Readonly<Record<string, ConstantValue>>;
  /** Type aliases for dtype variants, e.g. { T: 'f16' } emits `alias T = f16;`. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Needs the shader-f16 feature. */
  readonly f16?: boolean;
  /** Uses subgroup builtins. */
  readonly subgroups?: boolean;
  /**
   * Shared WGSL function files (shaders/<name>.wgsl, no bindings) inserted between the generated header and the
   * body, so kernels that share maths (a quantizer, gelu, a softmax row) keep one copy of it.
   */
  readonly includes?: readonly string[];
}

export const UNIFORM_BINDING_NAME = 'u';

/** Stable identity of a specialised program: equal keys share one pipeline. */
export function programKey(spec: ProgramSpec): string {
  return JSON.stringify([
    spec.name,
    spec.shader,
    spec.entryPoint ?? 'main',
    spec.bindings,
    spec.uniforms ?? [],
    spec.workgroupSize,
    spec.constants ?? {},
    spec.aliases ?? {},
    !!spec.f16,
    !!spec.subgroups,
    spec.includes ?? [],
  ]);
}

export function workgroupDims(spec: ProgramSpec): [number, number, number] {
  const [x, y = 1, z = 1] = spec.workgroupSize;
  return [x, y, z];
}

function constantLine(name: string, value: ConstantValue): string {
  if (typeof value === 'boolean') return `const ${name}: bool = ${value};`;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0) return `const ${name}: u32 = ${value}u;`;
    if (Number.isInteger(value)) return `const ${name}: i32 = ${value}i;`;
    return `const ${name}: f32 = ${floatLiteral(value)};`;
  }
  if (value.type === 'f32') return `const ${name}: f32 = ${floatLiteral(value.value)};`;
  return `const ${name}: ${value.type} = ${value.value}${value.type === 'u32' ? 'u' : 'i'};`;
}

function floatLiteral(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`WGSL constants must be finite, got ${v}`);
  const s = v.toString();
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** The generated prelude: enables, aliases, constants, the uniform struct and every binding. */
export function generateHeader(spec: ProgramSpec): string {
  const lines: string[] = [`// generated from the program table of "${spec.name}"`];
  if (spec.f16) lines.push('enable f16;');
  if (spec.subgroups) lines.push('enable subgroups;');
  for (const [name, type] of Object.entries(spec.aliases ?? {})) lines.push(`alias ${name} = ${type};`);
  const [x, y, z] = workgroupDims(spec);
  lines.push(`const WG_X: u32 = ${x}u;`, `const WG_Y: u32 = ${y}u;`, `const WG_Z: u32 = ${z}u;`);
  lines.push(`const WG_SIZE: u32 = ${x * y * z}u;`);
  for (const [name, value] of Object.entries(spec.constants ?? {})) lines.push(constantLine(name, value));
  spec.bindings.forEach((b, i) => {
    lines.push(`@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${b.type}>;`);
  });
  const uniforms = spec.uniforms ?? [];
  if (uniforms.length > 0) {
    lines.push('struct Uniforms {');
    for (const u of uniforms) lines.push(`  ${u.name}: ${u.type},`);
    lines.push('}');
    lines.push(`@group(0) @binding(${spec.bindings.length}) var<uniform> ${UNIFORM_BINDING_NAME}: Uniforms;`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Whole WGSL for a program. The body must not declare bindings or literal workgroup sizes itself:
 * those come from the table, and a body that does is refused so the two cannot drift.
 */
export function assembleWgsl(spec: ProgramSpec, body: string, included: readonly string[] = []): string {
  const sources = [...(spec.includes ?? []).map((name, i) => [name, included[i] ?? ''] as const), [spec.shader, body] as const];
  for (const [file, text] of sources) {
    if (/@binding\s*\(/.test(text)) {
      throw new Error(`shaders/${file}.wgsl declares a @binding; bindings of "${spec.name}" come from its program table`);
    }
    if (/@workgroup_size\s*\(\s*\d/.test(text)) {
      throw new Error(`shaders/${file}.wgsl has a literal @workgroup_size; use WG_X, WG_Y, WG_Z from the program table`);
    }
  }
  if (included.length !== (spec.includes?.length ?? 0)) throw new Error(`program "${spec.name}": ${spec.includes?.length ?? 0} includes expected, ${included.length} given`);
  const names = new Set<string>();
  for (const b of spec.bindings) {
    if (names.has(b.name)) throw new Error(`program "${spec.name}" declares binding "${b.name}" twice`);
    names.add(b.name);
  }
  const shared = (spec.includes ?? []).map((name, i) => `// ---- shaders/${name}.wgsl\n${included[i]}\n`).join('');
  return generateHeader(spec) + shared + body;
}

/** Bytes of the uniform block: scalars are 4 bytes each, the struct is padded to 16. */
export function uniformBytes(spec: ProgramSpec): number {
  const n = spec.uniforms?.length ?? 0;
  return Math.ceil((n * 4) / 16) * 16;
}

export function packUniforms(spec: ProgramSpec, values: Readonly<Record<string, number>>, into: DataView, offset: number): void {
  const uniforms = spec.uniforms ?? [];
  for (const key of Object.keys(values)) {
    if (!uniforms.some((u) => u.name === key)) throw new Error(`program "${spec.name}" has no uniform "${key}"`);
  }
  uniforms.forEach((u, i) => {
    const v = values[u.name];
    if (v === undefined || Number.isNaN(v)) throw new Error(`program "${spec.name}" needs uniform "${u.name}"`);
    const at = offset + i * 4;
    if (u.type === 'f32') into.setFloat32(at, v, true);
    else if (u.type === 'u32') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`uniform "${u.name}" of "${spec.name}" must be a u32, got ${v}`);
      into.setUint32(at, v, true);
    } else {
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`uniform "${u.name}" of "${spec.name}" must be an i32, got ${v}`);
      into.setInt32(at, v, true);
    }
  });
}
