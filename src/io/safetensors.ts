// The safetensors format: u64 little-endian header length N, N bytes of JSON
// { "__metadata__": {str: str}, "<name>": { dtype, shape, data_offsets: [begin, end] } }, then the raw data
// (offsets are relative to the end of the header, little-endian, row-major). Readers parse the header from the
// first bytes and fetch tensors one at a time through a ByteSource, so QLoRA can quantize tensor by tensor.

import type { ByteSource } from './byte-source';
import { decode16, encode16 } from './dtype';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte range in the file (header included). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  fileName: string;
  /** Byte offset where tensor data starts (8 + header length). */
  dataStart: number;
  metadata: Record<string, string>;
  /** In header order. */
  tensors: Map<string, TensorInfo>;
}

/** Guard against garbage being read as a length: real headers are at most a few MB. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Read and validate the header. Every error names the file, and the tensor when there is one. */
export async function readSafetensorsHeader(source: ByteSource, fileName: string): Promise<SafetensorsHeader> {
  if (source.size < 8) throw new Error(`${fileName}: not a safetensors file (${source.size} bytes, need at least 8)`);
  const lenBytes = await source.read(0, 8);
  const view = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > source.size) {
    throw new Error(`${fileName}: not a safetensors file (header length ${headerLen} does not fit a ${source.size}-byte file)`);
  }
  const headerBytes = await source.read(8, headerLen);
  const json = parseHeaderJson(fileName, headerBytes);
  const dataStart = 8 + headerLen;
  const dataSize = source.size - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorInfo>();
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') {
      readMetadata(fileName, entry, metadata);
      continue;
    }
    tensors.set(name, parseEntry(fileName, name, entry, dataStart, dataSize));
  }
  checkLayout(fileName, [...tensors.values()], dataStart, dataSize);
  return { fileName, dataStart, metadata, tensors };
}

/**
 * The header must be exactly one UTF-8 JSON object, starting at its first byte (no byte-order mark) and padded
 * only with whitespace: a length field that is off cuts into the JSON and is refused here, or into the padding
 * and is refused by checkLayout, never read shifted.
 */
function parseHeaderJson(fileName: string, bytes: Uint8Array): Record<string, unknown> {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new Error(`${fileName}: safetensors header starts with a UTF-8 byte-order mark; it must start with "{"`);
  }
  if (bytes[0] !== 0x7b) {
    throw new Error(`${fileName}: safetensors header must start with "{" (byte 8 is 0x${bytes[0].toString(16).padStart(2, '0')})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new Error(`${fileName}: safetensors header is not valid UTF-8${invalidUtf8Where(bytes)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${fileName}: safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${fileName}: safetensors header must be a JSON object`);
  }
  return json as Record<string, unknown>;
}

/** Names the tensor whose name holds the bad bytes, when the rest of the header can be read. */
function invalidUtf8Where(bytes: Uint8Array): string {
  try {
    const loose = JSON.parse(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)) as Record<string, unknown>;
    const bad = Object.keys(loose).find((k) => k.includes('\uFFFD'));
    if (bad !== undefined) return ` (tensor name ${JSON.stringify(bad)} has invalid bytes)`;
  } catch {
    // not JSON either: the generic message says enough
  }
  return '';
}

function readMetadata(fileName: string, entry: unknown, into: Record<string, string>): void {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new Error(`${fileName}: __metadata__ must be an object of strings`);
  }
  for (const [k, v] of Object.entries(entry)) {
    if (typeof v !== 'string') throw new Error(`${fileName}: __metadata__["${k}"] must be a string, got ${jsonType(v)}`);
    Object.defineProperty(into, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
}

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function parseEntry(fileName: string, name: string, entry: unknown, dataStart: number, dataSize: number): TensorInfo {
  const where = `${fileName}: tensor "${name}"`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${where}: header entry must be an object`);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
    throw new Error(`${where}: unsupported dtype ${JSON.stringify(dtype)} (known: ${Object.keys(DTYPE_BYTES).join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${where}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new Error(`${where}: data_offsets must be [begin, end], got ${JSON.stringify(offsets)}`);
  }
  const [b, e] = offsets as number[];
  const expected = numel(shape) * DTYPE_BYTES[dtype as SafetensorsDtype];
  if (e < b || e > dataSize) {
    throw new Error(`${where}: data_offsets [${b}, ${e}] fall outside the ${dataSize}-byte data section`);
  }
  if (e - b !== expected) {
    throw new Error(`${where}: ${dtype} shape [${shape.join(', ')}] needs ${expected} bytes but data_offsets span ${e - b}`);
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin: dataStart + b, end: dataStart + e };
}

/**
 * Like the reference reader: tensors tile the data section exactly, from 0 to its end, with no overlap and no gap.
 * A gap or a tail of unused bytes is how a wrong header length shows (each tensor would be read shifted).
 * Each tensor's end was already checked against the data section in parseEntry.
 */
function checkLayout(fileName: string, infos: TensorInfo[], dataStart: number, dataSize: number): void {
  const sorted = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = dataStart;
  let previous: TensorInfo | undefined;
  for (const t of sorted) {
    if (t.begin < cursor) {
      throw new Error(`${fileName}: tensors "${previous!.name}" and "${t.name}" overlap in the data section`);
    }
    if (t.begin > cursor) {
      const after = previous ? `after tensor "${previous.name}"` : 'at the start of the data section';
      throw new Error(`${fileName}: tensor "${t.name}" starts at data offset ${t.begin - dataStart}, leaving ` +
        `${t.begin - cursor} unused bytes ${after} (a wrong header length or offsets; refusing to read it shifted)`);
    }
    cursor = t.end;
    previous = t;
  }
  if (cursor - dataStart !== dataSize) {
    const last = previous ? `its last tensor "${previous.name}" ends at ${cursor - dataStart}` : 'it has no tensors';
    throw new Error(`${fileName}: the data section is ${dataSize} bytes but ${last}; the header length ` +
      'or the offsets are wrong (refusing to read tensors shifted)');
  }
}

/** Raw little-endian bytes of one tensor. */
export async function readTensorBytes(source: ByteSource, header: SafetensorsHeader, name: string): Promise<Uint8Array> {
  const info = header.tensors.get(name);
  if (!info) throw new Error(`${header.fileName}: no tensor "${name}"`);
  return source.read(info.begin, info.end - info.begin);
}

/** One tensor converted to float32 (F32 as is, F16/BF16 decoded exactly, F64 rounded). */
export async function readTensorF32(source: ByteSource, header: SafetensorsHeader, name: string): Promise<Float32Array> {
  const info = header.tensors.get(name)!;
  const bytes = await readTensorBytes(source, header, name);
  return toFloat32(info.dtype, bytes, `${header.fileName}: tensor "${name}"`);
}

/** Decode little-endian bytes of a float dtype to float32. Assumes a little-endian host (every WebGPU platform). */
export function toFloat32(dtype: SafetensorsDtype, bytes: Uint8Array, label: string): Float32Array {
  switch (dtype) {
    case 'F32':
      return new Float32Array(bytes.slice().buffer);
    case 'F16':
      return decode16(bytes, 'f16');
    case 'BF16':
      return decode16(bytes, 'bf16');
    case 'F64':
      return Float32Array.from(new Float64Array(bytes.slice().buffer));
    default:
      throw new Error(`${label}: dtype ${dtype} is not a float type (F32, F16, BF16 or F64)`);
  }
}

// ---------------------------------------------------------------------------------------------------------- writing

export interface TensorToWrite {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Float32Array is encoded to dtype (F32/F16/BF16); integer arrays must match dtype; Uint8Array is raw bytes. */
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
}

/** A tensor's little-endian bytes as stored (a view of the data when it is already in that form). */
export function encodeTensorData(name: string, t: TensorToWrite): Uint8Array {
  const n = numel(t.shape);
  const raw = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let bytes: Uint8Array;
  if (t.data instanceof Float32Array) {
    if (t.dtype === 'F32') bytes = raw(t.data);
    else if (t.dtype === 'F16') bytes = encode16(t.data, 'f16');
    else if (t.dtype === 'BF16') bytes = encode16(t.data, 'bf16');
    else throw new Error(`tensor "${name}": cannot write Float32Array data as ${t.dtype}`);
  } else if (t.data instanceof Int32Array) {
    if (t.dtype !== 'I32') throw new Error(`tensor "${name}": Int32Array data needs dtype I32, got ${t.dtype}`);
    bytes = raw(t.data);
  } else if (t.data instanceof BigInt64Array) {
    if (t.dtype !== 'I64') throw new Error(`tensor "${name}": BigInt64Array data needs dtype I64, got ${t.dtype}`);
    bytes = raw(t.data);
  } else {
    bytes = t.data;
  }
  if (bytes.byteLength !== n * DTYPE_BYTES[t.dtype]) {
    throw new Error(`tensor "${name}": shape [${t.shape.join(', ')}] ${t.dtype} needs ${n * DTYPE_BYTES[t.dtype]} bytes, data has ${bytes.byteLength}`);
  }
  return bytes;
}

/** What the header says of a tensor: enough to place it before its values exist. */
export interface TensorLayout {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
}

/**
 * The first bytes of a safetensors file (u64 length + JSON header padded with spaces to 8 bytes) for tensors in
 * this order, and the size of the data section after it: offsets follow from dtypes and shapes alone.
 */
export function safetensorsHeaderBytes(tensors: readonly TensorLayout[], metadata: Record<string, string> = {}): { header: Uint8Array; dataBytes: number } {
  const json: Record<string, unknown> = { __metadata__: { format: 'pt', ...metadata } };
  let offset = 0;
  for (const t of tensors) {
    const bytes = numel(t.shape) * DTYPE_BYTES[t.dtype];
    json[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let text = JSON.stringify(json);
  const utf8 = new TextEncoder();
  while ((8 + utf8.encode(text).byteLength) % 8 !== 0) text += ' ';
  const body = utf8.encode(text);
  const header = new Uint8Array(8 + body.byteLength);
  new DataView(header.buffer).setBigUint64(0, BigInt(body.byteLength), true);
  header.set(body, 8);
  return { header, dataBytes: offset };
}

/** Serialize tensors (in the given order) with __metadata__ {"format": "pt", ...}; header padded to 8 bytes. */
export function serializeSafetensors(
  tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const blobs = entries.map(([name, t]) => encodeTensorData(name, t));
  const { header, dataBytes } = safetensorsHeaderBytes(entries.map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape })), metadata);
  const out = new Uint8Array(header.byteLength + dataBytes);
  out.set(header, 0);
  let at = header.byteLength;
  for (const b of blobs) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------ sharding

export const SHARD_INDEX_FILE = 'model.safetensors.index.json';

export interface ShardIndex {
  metadata: Record<string, unknown>;
  /** tensor name -> shard file name */
  weightMap: Map<string, string>;
  /** Distinct shard files in first-use order. */
  files: string[];
}

/** Parse model.safetensors.index.json ({ metadata: {total_size}, weight_map: {name: file} }). */
export function parseShardIndex(text: string, fileName = SHARD_INDEX_FILE): ShardIndex {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${fileName}: not valid JSON (${(e as Error).message})`);
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new Error(`${fileName}: missing "weight_map" object (tensor name -> shard file)`);
  }
  const weightMap = new Map<string, string>();
  for (const [name, file] of Object.entries(map)) {
    if (typeof file !== 'string') throw new Error(`${fileName}: weight_map["${name}"] must be a file name string`);
    const problem = shardNameProblem(file);
    if (problem) throw new Error(`${fileName}: weight_map["${name}"] names shard ${JSON.stringify(file)}, ${problem}`);
    weightMap.set(name, file);
  }
  const rawMetadata = (json as { metadata?: unknown }).metadata;
  const metadata = (typeof rawMetadata === 'object' && rawMetadata !== null && !Array.isArray(rawMetadata)
    ? rawMetadata : {}) as Record<string, unknown>;
  return { metadata, weightMap, files: [...new Set(weightMap.values())] };
}

/**
 * A shard must be a plain *.safetensors file name inside the checkpoint folder: an index naming
 * "../../etc/passwd", "/abs/path" or "" would make the loader read outside the folder it was given.
 */
function shardNameProblem(file: string): string | undefined {
  if (file === '') return 'an empty file name';
  if (/[\/\\]/.test(file) || file === '.' || file === '..') {
    return 'which is a path; shards must be plain file names inside the checkpoint folder';
  }
  if (/[\u0000-\u001f\u007f]/.test(file)) return 'which has control characters';
  if (!file.endsWith('.safetensors')) return 'which is not a .safetensors file';
  return undefined;
}

/** Split tensors over `shards` files named like HF: model-00001-of-00002.safetensors, plus the index JSON. */
export function serializeSharded(
  tensors: Map<string, TensorToWrite>, shards: number, metadata: Record<string, string> = {},
): Map<string, Uint8Array | string> {
  const names = [...tensors.keys()];
  if (!Number.isInteger(shards) || shards < 1 || shards > names.length) {
    throw new Error(`shards must be an integer between 1 and the tensor count ${names.length}, got ${shards}`);
  }
  const pad = (i: number) => String(i).padStart(5, '0');
  const out = new Map<string, Uint8Array | string>();
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  const per = Math.ceil(names.length / shards);
  for (let s = 0; s < shards; s++) {
    const file = `model-${pad(s + 1)}-of-${pad(shards)}.safetensors`;
    const part = new Map<string, TensorToWrite>();
    for (const name of names.slice(s * per, (s + 1) * per)) {
      const t = tensors.get(name)!;
      part.set(name, t);
      weightMap[name] = file;
      totalSize += numel(t.shape) * DTYPE_BYTES[t.dtype];
    }
    if (part.size) out.set(file, serializeSafetensors(part, metadata));
  }
  out.set(SHARD_INDEX_FILE, JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2));
  return out;
}

