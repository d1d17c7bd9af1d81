/**
 * The wire format: the client's encoder and decoder, and the test server's strictness
 * (it must reject what Triton rejects, or the end-to-end tests would prove little).
 */
import { baseUrlOf, withPort } from '../../client/endpoint';
import { decodeInferResponse, encodeInferRequest, parseClassification } from '../../client/infer-codec';
import { ProtocolError } from '../../client/errors';
import { inceptionGraphdef, KServeTestServer, startKServeTestServer } from '../support/kserve-test-server';

describe('request encoding', () => {
  const data = Float32Array.from([1.5, -2, 0.25, 3]);
  const spec = {
    id: '7',
    inputs: [{ name: 'x', shape: [1, 2, 2], data }],
    outputs: [{ name: 'y', classCount: 2 }],
  };

  test('binary: JSON header, its length in Inference-Header-Content-Length, then little-endian FP32', () => {
    const { headers, body } = encodeInferRequest({ ...spec, encoding: 'binary' });
    const length = Number(headers['Inference-Header-Content-Length']);
    expect(JSON.parse(body.subarray(0, length).toString())).toEqual({
      id: '7',
      inputs: [{ name: 'x', shape: [1, 2, 2], datatype: 'FP32', parameters: { binary_data_size: 16 } }],
      outputs: [{ name: 'y', parameters: { binary_data: true, classification: 2 } }],
    });
    expect(body.length).toBe(length + 16);
    const tail = body.subarray(length);
    expect([0, 4, 8, 12].map((o) => tail.readFloatLE(o))).toEqual([1.5, -2, 0.25, 3]);
    // 1.5f little-endian is 00 00 c0 3f
    expect(tail.subarray(0, 4).toString('hex')).toBe('0000c03f');
  });

  test('JSON: numbers inline, no binary parameters, no header-length header', () => {
    const { headers, body } = encodeInferRequest({ ...spec, encoding: 'json' });
    expect(headers['Inference-Header-Content-Length']).toBeUndefined();
    expect(JSON.parse(body.toString())).toEqual({
      id: '7',
      inputs: [{ name: 'x', shape: [1, 2, 2], datatype: 'FP32', data: [1.5, -2, 0.25, 3] }],
      outputs: [{ name: 'y', parameters: { classification: 2 } }],
    });
  });

  test('a shape that does not match the data is refused', () => {
    expect(() => encodeInferRequest({ ...spec, inputs: [{ name: 'x', shape: [1, 3], data }], encoding: 'binary' }))
      .toThrow("input 'x': shape [1,3] needs 3 values, got 4");
  });
});

describe('response decoding', () => {
  function bytesElement(text: string): Buffer {
    const b = Buffer.from(text);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    return Buffer.concat([len, b]);
  }

  test('binary BYTES classification output after the JSON header', () => {
    const binary = Buffer.concat([bytesElement('0.826384:505:COFFEE MUG'), bytesElement('0.1:7:X')]);
    const header = Buffer.from(JSON.stringify({
      id: '1', model_name: 'm', model_version: '1',
      outputs: [{ name: 'p', datatype: 'BYTES', shape: [1, 2], parameters: { binary_data_size: binary.length } }],
    }));
    const decoded = decodeInferResponse(Buffer.concat([header, binary]), String(header.length), 'http://t');
    expect(decoded.outputs[0].data).toEqual(['0.826384:505:COFFEE MUG', '0.1:7:X']);
    expect(decoded.id).toBe('1');
  });

  test('JSON data, nested or flat', () => {
    const body = Buffer.from(JSON.stringify({ model_name: 'm', outputs: [{ name: 'p', datatype: 'FP32', shape: [2, 2], data: [[1, 2], [3, 4]] }] }));
    expect(decodeInferResponse(body, null, 'http://t').outputs[0].data).toEqual([1, 2, 3, 4]);
  });

  test('inconsistent sizes are protocol errors', () => {
    const header = Buffer.from(JSON.stringify({ model_name: 'm', outputs: [{ name: 'p', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } }] }));
    expect(() => decodeInferResponse(Buffer.concat([header, Buffer.alloc(4)]), String(header.length), 'http://t')).toThrow(ProtocolError);
    expect(() => decodeInferResponse(header, String(header.length + 1), 'http://t')).toThrow('Inference-Header-Content-Length');
  });

  test('classification strings: score text kept verbatim, labels may contain colons', () => {
    expect(parseClassification('0.826384:505:COFFEE MUG')).toEqual({ score: '0.826384', index: '505', label: 'COFFEE MUG' });
    expect(parseClassification('12.000000:3')).toEqual({ score: '12.000000', index: '3' });
    expect(parseClassification('0.5:1:a:b')).toEqual({ score: '0.5', index: '1', label: 'a:b' });
  });
});

describe('the test server rejects malformed requests as Triton does', () => {
  let server: KServeTestServer;
  const inferUrl = () => `http://${server.address}/v2/models/inception_graphdef/infer`;
  const tensorBytes = 299 * 299 * 3 * 4;

  beforeAll(async () => {
    server = await startKServeTestServer({ models: [inceptionGraphdef(), inceptionGraphdef({ name: 'sleepy', ready: false })] });
  });
  afterAll(() => server.close());

  function binaryRequest(header: object, payloadBytes: number, headerLength?: number): { headers: Record<string, string>; body: Buffer } {
    const json = Buffer.from(JSON.stringify(header));
    return {
      headers: { 'Inference-Header-Content-Length': String(headerLength ?? json.length) },
      body: Buffer.concat([json, Buffer.alloc(payloadBytes)]),
    };
  }

  const goodHeader = (overrides: Record<string, unknown> = {}, outputParameters: Record<string, unknown> = { classification: 1 }) => ({
    inputs: [{ name: 'input', shape: [1, 299, 299, 3], datatype: 'FP32', parameters: { binary_data_size: tensorBytes }, ...overrides }],
    outputs: [{ name: 'InceptionV3/Predictions/Softmax', parameters: outputParameters }],
  });

  async function post(request: { headers?: Record<string, string>; body: Buffer | string }, url = inferUrl()) {
    const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
    return { status: response.status, text: await response.text() };
  }

  test('a well-formed binary request is answered with a classification', async () => {
    const response = await fetch(inferUrl(), { method: 'POST', ...binaryRequest(goodHeader({}, { classification: 2 }), tensorBytes) });
    expect(response.status).toBe(200);
    const decoded = decodeInferResponse(Buffer.from(await response.arrayBuffer()), response.headers.get('Inference-Header-Content-Length'), 'x');
    expect(decoded.outputs[0]).toMatchObject({ datatype: 'BYTES', shape: [1, 2] });
    expect(String(decoded.outputs[0].data[0])).toMatch(/^\d\.\d{6}:\d+:(BACKGROUND|CLASS \d+ LABEL)$/);
  });

  test('the answer depends on the tensor', async () => {
    const top = async (value: number) => {
      const json = Buffer.from(JSON.stringify(goodHeader()));
      const payload = Buffer.from(new Float32Array(299 * 299 * 3).fill(value).buffer);
      const response = await fetch(inferUrl(), {
        method: 'POST', headers: { 'Inference-Header-Content-Length': String(json.length) }, body: Buffer.concat([json, payload]),
      });
      return decodeInferResponse(Buffer.from(await response.arrayBuffer()), response.headers.get('Inference-Header-Content-Length'), 'x').outputs[0].data[0];
    };
    expect(await top(-0.8)).not.toEqual(await top(0.8));
  });

  test.each([
    ['binary data without the header-length header', { body: Buffer.concat([Buffer.from(JSON.stringify(goodHeader())), Buffer.alloc(tensorBytes)]) }, 'failed to parse the request JSON'],
    ['a payload 4 bytes short', binaryRequest(goodHeader(), tensorBytes - 4), 'unexpected end of binary data'],
    ['extra bytes after the tensor', binaryRequest(goodHeader(), tensorBytes + 4), 'unexpected additional input data'],
    ['binary_data_size not matching the shape', binaryRequest(goodHeader({ parameters: { binary_data_size: tensorBytes - 4 } }), tensorBytes - 4), 'unexpected total byte size'],
    ['a wrong header length', binaryRequest(goodHeader(), tensorBytes, 10), 'failed to parse the request JSON'],
    ['FP16 instead of FP32', binaryRequest(goodHeader({ datatype: 'FP16' }), tensorBytes), "data-type is 'FP16', but model 'inception_graphdef' expects 'FP32'"],
    ['a shape without the batch dimension', binaryRequest(goodHeader({ shape: [299, 299, 3] }), tensorBytes), 'unexpected shape for input'],
    ['a wrong input name', binaryRequest(goodHeader({ name: 'image' }), tensorBytes), "unexpected inference input 'image'"],
    ['classification 0', binaryRequest(goodHeader({}, { classification: 0 }), tensorBytes), 'classification must be a positive integer'],
    ['a batch above max_batch_size', binaryRequest(goodHeader({ shape: [129, 299, 299, 3], parameters: { binary_data_size: 129 * tensorBytes } }), 129 * tensorBytes), 'batch-size must be <= 128'],
    ['JSON data of the wrong length', { body: JSON.stringify({ inputs: [{ name: 'input', shape: [1, 299, 299, 3], datatype: 'FP32', data: [1, 2, 3] }] }) }, 'unexpected number of elements'],
  ])('%s', async (_what, request, message) => {
    const { status, text } = await post(request as { headers?: Record<string, string>; body: Buffer | string });
    expect(status).toBe(400);
    expect(JSON.parse(text).error).toContain(message);
  });

  test('unknown and unready models', async () => {
    const unknown = await post({ body: '{}' }, `http://${server.address}/v2/models/nope/infer`);
    expect(JSON.parse(unknown.text)).toEqual({ error: "Request for unknown model: 'nope' is not found" });
    const sleepy = await post({ body: '{}' }, `http://${server.address}/v2/models/sleepy/infer`);
    expect(JSON.parse(sleepy.text).error).toContain("'sleepy' has no available versions");
    expect((await fetch(`http://${server.address}/v2/models/sleepy/ready`)).status).toBe(400);
    expect((await fetch(`http://${server.address}/v2/health/ready`)).status).toBe(400);
  });

  test('metadata and config are those of inception_graphdef', async () => {
    const metadata = await (await fetch(`http://${server.address}/v2/models/inception_graphdef`)).json();
    expect(metadata).toEqual({
      name: 'inception_graphdef', versions: ['1'], platform: 'tensorflow_graphdef',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 299, 299, 3] }],
      outputs: [{ name: 'InceptionV3/Predictions/Softmax', datatype: 'FP32', shape: [-1, 1001] }],
    });
    const config = await (await fetch(`http://${server.address}/v2/models/inception_graphdef/config`)).json();
    expect(config).toMatchObject({
      platform: 'tensorflow_graphdef', max_batch_size: 128,
      input: [{ name: 'input', data_type: 'TYPE_FP32', format: 'FORMAT_NHWC', dims: [299, 299, 3] }],
      output: [{ name: 'InceptionV3/Predictions/Softmax', data_type: 'TYPE_FP32', dims: [1001], label_filename: 'inception_labels.txt' }],
    });
  });
});

describe('server addresses', () => {
  test('host:port as image_client.py takes it, or a full URL', () => {
    expect(baseUrlOf('10.0.0.30:30800')).toBe('http://10.0.0.30:30800');
    expect(baseUrlOf('http://triton.local:8000/')).toBe('http://triton.local:8000');
    expect(withPort('http://10.0.0.30:30800', 30802)).toBe('http://10.0.0.30:30802');
  });

  test('other schemes and empty hosts are refused with an example', () => {
    expect(() => baseUrlOf('grpc://10.0.0.30:30801')).toThrow('only http:// (Triton\'s HTTP/REST port) is supported');
    expect(() => baseUrlOf('http://:8000')).toThrow('give host:port such as "10.0.0.31:30800"');
  });
});
