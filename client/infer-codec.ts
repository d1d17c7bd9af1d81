/**
 * Encoding of inference requests and decoding of responses for Triton's HTTP/REST
 * endpoint: plain KServe v2 JSON, or Triton's binary tensor data extension (a JSON header
 * whose length is in the `Inference-Header-Content-Length` HTTP header, followed by the
 * raw little-endian tensor bytes in input order), and the classification extension
 * (`"classification": k` on a requested output; the answer is BYTES "score:index:label").
 */
import { endianness } from 'node:os';
import { z } from 'zod';
import { ProtocolError } from './errors';
import { inferResponseHeaderSchema, InferResponseHeader } from './kserve-types';

export const INFERENCE_HEADER_CONTENT_LENGTH = 'Inference-Header-Content-Length';

/** How tensors travel: raw bytes after the JSON header, or numbers inside the JSON. */
export type TensorEncoding = 'binary' | 'json';

export interface Fp32InputTensor {
  readonly name: string;
  /** Full shape including the batch dimension when the model batches. */
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface RequestedOutput {
  readonly name: string;
  /** Ask Triton for the top-k classes instead of the raw tensor. @default raw tensor */
  readonly classCount?: number;
}

export interface InferRequestSpec {
  /** Echoed back by Triton in the response. @default no id */
  readonly id?: string;
  readonly inputs: readonly Fp32InputTensor[];
  readonly outputs: readonly RequestedOutput[];
  readonly encoding: TensorEncoding;
}

export interface EncodedInferRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const hostIsLittleEndian = endianness() === 'LE';

/** The bytes of an FP32 tensor in the protocol's little-endian order. */
export function fp32Bytes(data: Float32Array): Buffer {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return hostIsLittleEndian ? view : Buffer.from(view).swap32();
}

export function encodeInferRequest(spec: InferRequestSpec): EncodedInferRequest {
  for (const input of spec.inputs) {
    const expected = input.shape.reduce((a, b) => a * b, 1);
    if (expected !== input.data.length) {
      throw new Error(`input '${input.name}': shape [${input.shape.join(',')}] needs ${expected} values, got ${input.data.length}`);
    }
  }
  const binary = spec.encoding === 'binary';
  const header = {
    ...(spec.id !== undefined ? { id: spec.id } : {}),
    inputs: spec.inputs.map((input) => ({
      name: input.name,
      shape: input.shape,
      datatype: 'FP32',
      ...(binary ? { parameters: { binary_data_size: input.data.byteLength } } : { data: Array.from(input.data) }),
    })),
    outputs: spec.outputs.map((output) => {
      const parameters: Record<string, unknown> = {};
      if (binary) parameters.binary_data = true;
      if (output.classCount !== undefined) parameters.classification = output.classCount;
      return Object.keys(parameters).length > 0 ? { name: output.name, parameters } : { name: output.name };
    }),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf-8');
  if (!binary) return { headers: { 'Content-Type': 'application/json' }, body: json };
  return {
    headers: {
      'Content-Type': 'application/octet-stream',
      [INFERENCE_HEADER_CONTENT_LENGTH]: String(json.length),
    },
    body: Buffer.concat([json, ...spec.inputs.map((input) => fp32Bytes(input.data))]),
  };
}

export interface DecodedOutput {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  /** Flattened, row-major. BYTES elements are decoded as UTF-8 strings. */
  readonly data: readonly (number | string)[];
}

export interface DecodedInferResponse {
  readonly id?: string;
  readonly modelName: string;
  readonly modelVersion?: string;
  readonly outputs: readonly DecodedOutput[];
}

const elementReaders: Record<string, { size: number; read: (b: Buffer, o: number) => number }> = {
  BOOL: { size: 1, read: (b, o) => b.readUInt8(o) },
  UINT8: { size: 1, read: (b, o) => b.readUInt8(o) },
  INT8: { size: 1, read: (b, o) => b.readInt8(o) },
  UINT16: { size: 2, read: (b, o) => b.readUInt16LE(o) },
  INT16: { size: 2, read: (b, o) => b.readInt16LE(o) },
  UINT32: { size: 4, read: (b, o) => b.readUInt32LE(o) },
  INT32: { size: 4, read: (b, o) => b.readInt32LE(o) },
  UINT64: { size: 8, read: (b, o) => Number(b.readBigUInt64LE(o)) },
  INT64: { size: 8, read: (b, o) => Number(b.readBigInt64LE(o)) },
  FP32: { size: 4, read: (b, o) => b.readFloatLE(o) },
  FP64: { size: 8, read: (b, o) => b.readDoubleLE(o) },
};

/**
 * Splits a response body into its JSON header and binary outputs.
 * `headerLength` is the `Inference-Header-Content-Length` value (absent: all JSON).
 */
export function decodeInferResponse(body: Buffer, headerLength: string | null, url: string): DecodedInferResponse {
  let jsonLength = body.length;
  if (headerLength !== null) {
    jsonLength = /^\d{1,15}$/.test(headerLength.trim()) ? Number(headerLength.trim()) : NaN;
    if (!Number.isSafeInteger(jsonLength) || jsonLength > body.length) {
      throw new ProtocolError(url, `${INFERENCE_HEADER_CONTENT_LENGTH} is ${JSON.stringify(headerLength.slice(0, 40))}, not a byte count within the ${body.length}-byte body`);
    }
  }
  let header: InferResponseHeader;
  try {
    header = inferResponseHeaderSchema.parse(JSON.parse(body.subarray(0, jsonLength).toString('utf-8')));
  } catch (err) {
    throw new ProtocolError(url, `inference response header is not valid: ${describeParseError(err)}`);
  }
  let offset = jsonLength;
  const outputs = header.outputs.map((output): DecodedOutput => {
    const count = output.shape.reduce((a, b) => a * b, 1);
    const size = output.parameters?.binary_data_size;
    if (size === undefined) {
      const data = (output.data ?? []).flat(Infinity as 1) as (number | string)[];
      if (data.length !== count) {
        throw new ProtocolError(url, `output '${output.name}' has shape [${output.shape.join(',')}] but ${data.length} values`);
      }
      return { name: output.name, datatype: output.datatype, shape: output.shape, data };
    }
    if (offset + size > body.length) {
      throw new ProtocolError(url, `output '${output.name}' announces ${size} binary bytes but only ${body.length - offset} follow`);
    }
    const bytes = body.subarray(offset, offset + size);
    offset += size;
    return { name: output.name, datatype: output.datatype, shape: output.shape, data: decodeBinary(output.name, output.datatype, bytes, count, url) };
  });
  return { id: header.id, modelName: header.model_name, modelVersion: header.model_version, outputs };
}

function decodeBinary(name: string, datatype: string, bytes: Buffer, count: number, url: string): (number | string)[] {
  if (datatype === 'BYTES') {
    // Each element: 4-byte little-endian length, then that many bytes.
    const values: string[] = [];
    let at = 0;
    while (at < bytes.length) {
      if (at + 4 > bytes.length) throw new ProtocolError(url, `output '${name}': truncated BYTES element length`);
      const length = bytes.readUInt32LE(at);
      at += 4;
      if (at + length > bytes.length) throw new ProtocolError(url, `output '${name}': BYTES element longer than the data`);
      values.push(bytes.subarray(at, at + length).toString('utf-8'));
      at += length;
    }
    if (values.length !== count) throw new ProtocolError(url, `output '${name}' should hold ${count} BYTES elements, holds ${values.length}`);
    return values;
  }
  // Own keys only: a server's datatype "constructor" or "__proto__" is not a reader.
  const reader = Object.hasOwn(elementReaders, datatype) ? elementReaders[datatype] : undefined;
  if (!reader) throw new ProtocolError(url, `output '${name}' has unknown datatype ${datatype}`);
  if (bytes.length !== count * reader.size) {
    throw new ProtocolError(url, `output '${name}' should be ${count * reader.size} bytes of ${datatype}, is ${bytes.length}`);
  }
  const values: number[] = new Array(count);
  for (let i = 0; i < count; i++) values[i] = reader.read(bytes, i * reader.size);
  return values;
}

function describeParseError(err: unknown): string {
  if (err instanceof z.ZodError) {
    return err.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}

/** One classification result as Triton formats it: "<value>:<index>[:<label>]". */
export interface Classification {
  /** The score text exactly as Triton printed it (C++ std::to_string, e.g. "0.826384"). */
  readonly score: string;
  readonly index: string;
  /** @default undefined when the model has no label file */
  readonly label?: string;
}

export function parseClassification(text: string): Classification {
  const first = text.indexOf(':');
  const second = first < 0 ? -1 : text.indexOf(':', first + 1);
  if (first < 0) return { score: text, index: '' };
  if (second < 0) return { score: text.slice(0, first), index: text.slice(first + 1) };
  // Labels may themselves contain ':'; only the first two separators split fields.
  return { score: text.slice(0, first), index: text.slice(first + 1, second), label: text.slice(second + 1) };
}
