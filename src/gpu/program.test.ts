import { describe, expect, it } from 'vitest';
import { assembleWgsl, generateHeader, packUniforms, uniformBytes, type ProgramSpec } from './program';

const spec: ProgramSpec = {
  name: 'demo',
  shader: 'demo',
  workgroupSize: [64, 2],
  bindings: [
    { name: 'out', access: 'read_write', type: 'f32' },
    { name: 'inp', access: 'read', type: 'vec4<f32>' },
  ],
  uniforms: [
    { name: 'n', type: 'u32' },
    { name: 'scale', type: 'f32' },
    { name: 'shift', type: 'i32' },
  ],
  constants: { TILE: 8, NEG: -3, HALF: 0.5, ON: true },
  aliases: { T: 'f32' },
};

describe('program table -> WGSL header', () => {
  it('declares bindings in table order, the uniform struct last, and the workgroup constants', () => {
    const h = generateHeader(spec);
    expect(h).toContain('@group(0) @binding(0) var<storage, read_write> out: array<f32>;');
    expect(h).toContain('@group(0) @binding(1) var<storage, read> inp: array<vec4<f32>>;');
    expect(h).toContain('@group(0) @binding(2) var<uniform> u: Uniforms;');
    expect(h).toMatch(/struct Uniforms \{\s+n: u32,\s+scale: f32,\s+shift: i32,\s+\}/);
    expect(h).toContain('const WG_X: u32 = 64u;');
    expect(h).toContain('const WG_SIZE: u32 = 128u;');
    expect(h).toContain('const TILE: u32 = 8u;');
    expect(h).toContain('const NEG: i32 = -3i;');
    expect(h).toContain('const HALF: f32 = 0.5;');
    expect(h).toContain('const ON: bool = true;');
    expect(h).toContain('alias T = f32;');
  });

  it('refuses bodies and includes that declare their own bindings or literal workgroup sizes', () => {
    expect(() => assembleWgsl(spec, '@group(0) @binding(0) var<storage> x: array<f32>;')).toThrow(/declares a @binding/);
    expect(() => assembleWgsl(spec, '@compute @workgroup_size(64) fn main() {}')).toThrow(/literal @workgroup_size/);
    const withLib = { ...spec, includes: ['lib'] };
    expect(() => assembleWgsl(withLib, 'fn main() {}', ['@binding(3)'])).toThrow(/shaders\/lib.wgsl declares a @binding/);
  });

  it('inserts shared includes between the header and the body', () => {
    const code = assembleWgsl({ ...spec, includes: ['lib'] }, 'fn body() {}', ['fn shared() {}']);
    expect(code.indexOf('fn shared()')).toBeGreaterThan(code.indexOf('struct Uniforms'));
    expect(code.indexOf('fn shared()')).toBeLessThan(code.indexOf('fn body()'));
  });

  it('packs uniforms as the struct lays them out and checks their types', () => {
    expect(uniformBytes(spec)).toBe(16);
    const view = new DataView(new ArrayBuffer(16));
    packUniforms(spec, { n: 7, scale: 0.25, shift: -2 }, view, 0);
    expect([view.getUint32(0, true), view.getFloat32(4, true), view.getInt32(8, true)]).toEqual([7, 0.25, -2]);
    expect(() => packUniforms(spec, { n: -1, scale: 0, shift: 0 }, view, 0)).toThrow(/must be a u32/);
    expect(() => packUniforms(spec, { n: 1, scale: 0 }, view, 0)).toThrow(/needs uniform "shift"/);
    expect(() => packUniforms(spec, { n: 1, scale: 0, shift: 0, extra: 1 }, view, 0)).toThrow(/no uniform "extra"/);
  });
});
