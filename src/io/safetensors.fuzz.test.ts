// Property tests of the safetensors reader on generated files: valid files round-trip exactly; mutated ones (header
// length off by a little or a lot, bytes flipped, cut short, padded, a byte-order mark, random headers, JSON nested
// thousands deep) are either read correctly or refused with one Error naming the file, never read shifted, never a
// crash (TypeError, RangeError) or a hang. Also the sharded index's file names. Replay a failure with FC_SEED=<seed>.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTally, fuzzSeed, reliabilityRecord, tallyAdd } from '../testing/reliability';
import { memorySource } from './byte-source';
import { DTYPE_BYTES, parseShardIndex, readSafetensorsHeader, readTensorBytes, serializeSafetensors, type SafetensorsDtype, type TensorToWrite } from './safetensors';

const record = reliabilityRecord(import.meta.url);
afterAll(() => record.save());

const RUNS = 10_000;
const FILE = 'fuzz.safetensors';
const DTYPES = Object.keys(DTYPE_BYTES) as SafetensorsDtype[];

const tensor = fc.record({
  dtype: fc.constantFrom(...DTYPES),
  shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  seed: fc.integer({ min: 0, max: 255 }),
});
const tensors = fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }).filter((n) => n !== '__metadata__'), tensor), {
  maxLength: 5,
  selector: ([name]) => name,
});

function build(spec: [string, { dtype: SafetensorsDtype; shape: number[]; seed: number }][]): { bytes: Uint8Array; raw: Map<string, Uint8Array> } {
  const map = new Map<string, TensorToWrite>();
  const raw = new Map<string, Uint8Array>();
  for (const [name, t] of spec) {
    const n = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + t.seed) & 255);
    map.set(name, { dtype: t.dtype, shape: t.shape, data });
    raw.set(name, data);
  }
  return { bytes: serializeSafetensors(map), raw };
}

const headerLength = (bytes: Uint8Array) => Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
const withLength = (bytes: Uint8Array, length: number) => {
  const out = bytes.slice();
  new DataView(out.buffer).setBigUint64(0, BigInt(Math.max(0, length)), true);
  return out;
};
const fileWithHeader = (json: string, dataBytes: number) => {
  const h = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + h.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  return out;
};

type Outcome = { ok: true; tensors: number } | { ok: false; message: string };

/** Reads the header and every tensor; an Error naming the file is a refusal, anything else fails the property. */
async function read(bytes: Uint8Array): Promise<Outcome> {
  const source = memorySource(bytes);
  try {
    const header = await readSafetensorsHeader(source, FILE);
    // What was accepted must be readable and tile the data section exactly.
    let covered = 0;
    for (const [name, info] of header.tensors) {
      const b = await readTensorBytes(source, header, name);
      expect(b.byteLength).toBe(info.end - info.begin);
      covered += b.byteLength;
    }
    expect(header.dataStart + covered).toBe(bytes.byteLength);
    for (const v of Object.values(header.metadata)) expect(typeof v).toBe('string');
    return { ok: true, tensors: header.tensors.size };
  } catch (e) {
    if (!(e instanceof Error) || e.constructor !== Error) throw e; // TypeError, RangeError...: a crash, not a refusal
    expect(e.message.startsWith(`${FILE}: `)).toBe(true);
    return { ok: false, message: e.message };
  }
}

/** The kind of a refusal, for the tally. */
const KINDS: [string, string][] = [
  ['not a safetensors file', 'not a safetensors file (length field)'],
  ['byte-order mark', 'BOM before the header'],
  ['must start with "{"', 'header does not start with {'],
  ['not valid UTF-8', 'header not UTF-8'],
  ['not valid JSON', 'header not JSON'],
  ['must be a JSON object', 'header not an object'],
  ['__metadata__', 'metadata not strings'],
  ['header entry must be an object', 'entry not an object'],
  ['unsupported dtype', 'unknown dtype'],
  ['shape must be', 'bad shape'],
  ['data_offsets must be', 'bad data_offsets'],
  ['fall outside', 'offsets outside the data'],
  ['needs', 'byte count is not dtype size x shape'],
  ['overlap', 'tensors overlap'],
  ['unused bytes', 'gap between tensors'],
  ['the data section is', 'tensors do not cover the data section (header length wrong)'],
];
const kind = (message: string) => KINDS.find(([needle]) => message.includes(needle))?.[1] ?? `other: ${message.slice(0, 60)}`;

async function fuzz(name: string, arb: fc.Arbitrary<Uint8Array>, check?: (bytes: Uint8Array, outcome: Outcome) => void) {
  const seed = fuzzSeed();
  const tally = new Map<string, number>();
  let slowest = 0;
  const started = performance.now();
  try {
    await fc.assert(
      fc.asyncProperty(arb, async (bytes) => {
        const t = performance.now();
        const outcome = await read(bytes);
        slowest = Math.max(slowest, performance.now() - t);
        tallyAdd(tally, outcome.ok ? 'read correctly' : `refused (${kind(outcome.message)})`);
        check?.(bytes, outcome);
      }),
      { numRuns: RUNS, seed },
    );
  } catch (e) {
    throw new Error(`${name}: property failed with seed ${seed} (replay with FC_SEED=${seed}): ${(e as Error).message}`);
  }
  const ms = performance.now() - started;
  record.add({ area: 'safetensors reader', input: name, cases: RUNS, outcome: `no crash or hang (slowest case ${slowest.toFixed(1)} ms, ${ms.toFixed(0)} ms in all); ${describeTally(tally)}` });
}

describe('safetensors reader, fuzzed', () => {
  it('valid files round-trip byte for byte', async () => {
    const seed = fuzzSeed();
    try {
      await fc.assert(
        fc.asyncProperty(tensors, async (spec) => {
          const { bytes, raw } = build(spec);
          const source = memorySource(bytes);
          const header = await readSafetensorsHeader(source, FILE);
          expect([...header.tensors.keys()].sort()).toEqual([...raw.keys()].sort());
          for (const [n, data] of raw) expect(await readTensorBytes(source, header, n)).toEqual(data);
        }),
        { numRuns: RUNS, seed },
      );
    } catch (e) {
      throw new Error(`property failed with seed ${seed} (replay with FC_SEED=${seed}): ${(e as Error).message}`);
    }
    record.add({ area: 'safetensors reader', input: 'valid files of 0-5 tensors, every dtype, shapes with zeros', cases: RUNS, outcome: 'every tensor read back byte for byte' });
  });

  it('a header length off by 1 to 8 bytes (into the padding or the data) is always refused', async () => {
    const arb = fc.tuple(tensors.filter((s) => s.length > 0), fc.integer({ min: -8, max: 8 }).filter((d) => d !== 0)).map(([spec, delta]) => {
      const { bytes } = build(spec);
      return withLength(bytes, headerLength(bytes) + delta);
    });
    await fuzz('valid files with the header length field changed by -8..+8 bytes', arb, (_, outcome) => expect(outcome.ok).toBe(false));
  });

  it('mutated files are read correctly or refused by name', async () => {
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
      fc.record({ op: fc.constant('length' as const), value: fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.constant(2 ** 53), fc.constant(0xffffffff)) }),
      fc.record({ op: fc.constant('bom' as const) }),
    );
    const arb = fc.tuple(tensors, mutation).map(([spec, m]) => {
      const { bytes } = build(spec);
      switch (m.op) {
        case 'flip': {
          const out = bytes.slice();
          out[m.at % out.length] = m.value;
          return out;
        }
        case 'cut':
          return bytes.slice(0, m.at % (bytes.length + 1));
        case 'append':
          return Uint8Array.from([...bytes, ...m.bytes]);
        case 'length':
          return withLength(bytes, m.value);
        case 'bom': {
          const json = bytes.subarray(8, 8 + headerLength(bytes));
          const out = new Uint8Array(bytes.length + 3);
          out.set(bytes.subarray(0, 8));
          out.set([0xef, 0xbb, 0xbf], 8);
          out.set(json, 11);
          out.set(bytes.subarray(8 + json.length), 11 + json.length);
          return withLength(out, json.length + 3);
        }
      }
    });
    await fuzz('valid files with one mutation: a byte flipped, cut short, bytes appended, a random header length, a BOM', arb);
  });

  it('random headers (any JSON, odd dtypes, shapes and offsets, non-string metadata, deep nesting) are read correctly or refused', async () => {
    const value = fc.oneof(fc.integer({ min: -2, max: 64 }), fc.double(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null), fc.constant(2 ** 60));
    const entry = fc.record(
      {
        dtype: fc.oneof(fc.constantFrom<unknown>(...DTYPES, 'F8', 'f32', 'toString', '__proto__', ''), value),
        shape: fc.oneof(fc.array(fc.integer({ min: -1, max: 6 }), { maxLength: 3 }), value),
        data_offsets: fc.oneof(fc.tuple(fc.integer({ min: -1, max: 80 }), fc.integer({ min: -1, max: 80 })), fc.array(value, { maxLength: 3 }), value),
      },
      { requiredKeys: [] },
    );
    const metadata = fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 4 }), value, fc.constant({ a: 1 })), { maxKeys: 3 });
    const deep = fc.integer({ min: 1, max: 6000 }).map((d) => '['.repeat(d) + ']'.repeat(d));
    const arb = fc
      .tuple(
        fc.dictionary(fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('__proto__', 'constructor', 'toString')), entry, { maxKeys: 4 }),
        fc.option(metadata),
        fc.oneof({ weight: 1, arbitrary: deep }, { weight: 19, arbitrary: fc.constant(null) }),
        fc.integer({ min: 0, max: 80 }),
      )
      .map(([entries, meta, nested, data]) => {
        const parts = Object.entries(entries).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
        if (meta) parts.push(`"__metadata__":${JSON.stringify(meta)}`);
        if (nested) parts.push(`"deep":${nested}`);
        return fileWithHeader(`{${parts.join(',')}}`, data);
      });
    await fuzz('random headers: any entries, dtypes, shapes, offsets, prototype-named keys, non-string metadata, arrays nested up to 6,000 deep', arb);
  });

  it('random bytes are refused by name', async () => {
    await fuzz('random bytes (0-200)', fc.uint8Array({ maxLength: 200 }));
  });
});

describe('sharded index, fuzzed', () => {
  it('accepts only plain *.safetensors file names; everything else is refused by name', () => {
    const seed = fuzzSeed();
    const tally = new Map<string, number>();
    const fileName = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ maxLength: 8 }).map((s) => `${s}.safetensors`),
      fc.constantFrom('../../etc/passwd', '/etc/passwd', '..', '.', '', 'a/b.safetensors', 'a\\b.safetensors', 'C:\\x.safetensors', '..\\..\\x.safetensors', 'x.safetensors\n', 'model-00001-of-00002.safetensors'),
    );
    const arb = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 6 }), fileName, { maxKeys: 4 }).map((m) => JSON.stringify({ metadata: {}, weight_map: m })),
      fc.json({ maxDepth: 4 }),
      fc.string({ maxLength: 40 }),
    );
    try {
      fc.assert(
        fc.property(arb, (text) => {
          try {
            const index = parseShardIndex(text, 'idx.json');
            for (const f of index.files) {
              expect(f.endsWith('.safetensors') && !/[/\\]/.test(f) && f !== '..' && !/[\u0000-\u001f]/.test(f)).toBe(true);
            }
            tallyAdd(tally, 'accepted (plain names only)');
          } catch (e) {
            if (!(e instanceof Error) || e.constructor !== Error) throw e;
            expect(e.message.startsWith('idx.json: ')).toBe(true);
            const why = e.message.includes('names shard') ? e.message.replace(/^.*", (which )?/, '').replace(/;.*$/, '') : e.message.includes('not valid JSON') ? 'not JSON' : 'no weight_map object';
            tallyAdd(tally, `refused (${why})`);
          }
        }),
        { numRuns: RUNS, seed },
      );
    } catch (e) {
      throw new Error(`property failed with seed ${seed} (replay with FC_SEED=${seed}): ${(e as Error).message}`);
    }
    record.add({ area: 'safetensors reader', input: 'model.safetensors.index.json with random or hostile shard names (../, absolute, empty, control characters)', cases: RUNS, outcome: describeTally(tally) });
  });
});
