/**
 * `triton-jetson infer` end to end against the KServe v2 test server: what is sent
 * (checked by the server and inspected here) and what is printed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { baseUrlOf } from '../../client/endpoint';
import { runImageClient, ImageClientOptions } from '../../client/image-client';
import {
  fakeClassifierScores, inceptionGraphdef, KServeTestServer, startKServeTestServer, TestModelSpec, topClassifications,
} from '../support/kserve-test-server';
import { runCli, unusedPort } from './cli-runner';
import { scratchDirs } from '../support/scratch';

const scratch = scratchDirs();

const INCEPTION_BYTES = 1 * 299 * 299 * 3 * 4;
const work = scratch('infer-test-');

type Rgb = [number, number, number];

async function solidImage(file: string, colour: Rgb, format: 'jpeg' | 'png', size: [number, number] = [640, 480]): Promise<Rgb> {
  await sharp({ create: { width: size[0], height: size[1], channels: 3, background: { r: colour[0], g: colour[1], b: colour[2] } } })
    .toFormat(format)
    .toFile(file);
  // JPEG may shift a solid colour slightly; read back what a decoder gets (uniform either way).
  const { data } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const firstOdd = data.findIndex((v, i) => v !== data[i % 3]);
  expect(firstOdd).toBe(-1);
  return [data[0], data[1], data[2]];
}

const inception = (x: number) => Math.fround(Math.fround(x / 127.5) - 1);

/** What the client must send for a solid image: every pixel the same scaled colour. */
function solidTensor(colour: Rgb, pixels: number, layout: 'NHWC' | 'NCHW', scale: (x: number, c: number) => number): Float32Array {
  const t = new Float32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) t[layout === 'NHWC' ? p * 3 + c : c * pixels + p] = scale(colour[c], c);
  }
  return t;
}

/** image_client.py's lines for one image, from the test server's fake model. */
function expectedLines(tensor: Float32Array, spec: TestModelSpec, k: number, layout: 'NHWC' | 'NCHW' = 'NHWC'): string[] {
  const scores = fakeClassifierScores(tensor, 3, layout, spec.output.dims[0]);
  return topClassifications(scores, k, spec.labels).map((s) => {
    const [score, index, label] = s.split(':');
    return `    ${score} (${index}) = ${label}`;
  });
}

/** Element-wise equality without jest's slow deep comparison of 270k-element arrays. */
function expectSameTensor(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const firstDifference = actual.findIndex((v, i) => !Object.is(v, expected[i]));
  expect(firstDifference === -1 ? 'identical' : `differs at ${firstDifference}: ${actual[firstDifference]} vs ${expected[firstDifference]}`).toBe('identical');
}

function linesOf(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

describe('infer against the KServe v2 test server', () => {
  let server: KServeTestServer;
  let car: string;
  let carColour: Rgb;

  beforeAll(async () => {
    server = await startKServeTestServer();
    car = join(work, 'car.jpg');
    carColour = await solidImage(car, [200, 40, 90], 'jpeg');
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.inferences.length = 0;
    server.requests.length = 0;
  });

  test('the tutorial command prints image_client.py\'s lines and exits 0 (binary tensors)', async () => {
    // image_client.py's -c (classes) is --classes here: -c is --config in every triton-jetson command.
    const result = await runCli(['infer', '-u', server.address, '-m', 'inception_graphdef', '-s', 'INCEPTION', '-x', '1', '--classes', '3', car]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const sent = solidTensor(carColour, 299 * 299, 'NHWC', inception);
    expect(linesOf(result.stdout)).toEqual([
      'Request 1, batch size 1',
      ...expectedLines(sent, inceptionGraphdef(), 3),
      'PASS',
    ]);
    expect(linesOf(result.stdout)[1]).toMatch(/^ {4}\d\.\d{6} \(\d+\) = CLASS \d+ LABEL$/);

    expect(server.requests).toContain('POST /v2/models/inception_graphdef/versions/1/infer');
    expect(server.inferences).toHaveLength(1);
    const received = server.inferences[0];
    expect(received.encoding).toBe('binary');
    expect(received.header).toEqual({
      id: '1',
      inputs: [{ name: 'input', shape: [1, 299, 299, 3], datatype: 'FP32', parameters: { binary_data_size: INCEPTION_BYTES } }],
      outputs: [{ name: 'InceptionV3/Predictions/Softmax', parameters: { binary_data: true, classification: 3 } }],
    });
    expect(received.bodyBytes).toBe(Buffer.byteLength(JSON.stringify(received.header)) + INCEPTION_BYTES);
    expectSameTensor(received.inputs[0].data, sent);
  });

  test('image_client.py\'s -c 3 gets one line saying -c is --config and to use --classes; --model-name still names the model', async () => {
    const result = await runCli(['infer', '-u', server.address, '--model-name', 'inception_graphdef', '-c', '3', car]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("triton-jetson: -c 3: -c is --config (the cluster description) in triton-jetson; image_client.py's -c (classes) is --classes here: --classes 3\n");
    expect(server.inferences).toHaveLength(0);
    const named = await runCli(['infer', '-u', server.address, '--model-name', 'inception_graphdef', car]);
    expect(named.code).toBe(0);
  });

  test('the server node of the cluster description is the default endpoint; -c with -u is refused', async () => {
    // A second server on a NodePort (30000-32767), as the description's service.nodePorts must be.
    let nodePort: KServeTestServer | undefined;
    for (let attempt = 0; !nodePort; attempt++) {
      try {
        nodePort = await startKServeTestServer({ host: '127.0.0.1', port: 30000 + Math.floor(Math.random() * 2700) });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt > 20) throw err;
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'infer-config-'));
    try {
      const port = Number(nodePort.address.split(':')[1]);
      writeFileSync(join(dir, 'cluster.yaml'), `nodes:\n  server: { name: jm-node-1, address: 127.0.0.1 }\nservice:\n  nodePorts: { http: ${port}, grpc: ${port + 1}, metrics: ${port + 2} }\n`);
      const result = await runCli(['infer', '-c', join(dir, 'cluster.yaml'), '-m', 'inception_graphdef', car]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(nodePort.inferences).toHaveLength(1);
      const both = await runCli(['infer', '-c', join(dir, 'cluster.yaml'), '-u', server.address, '-m', 'inception_graphdef', car]);
      expect(both.code).toBe(1);
      expect(both.stderr).toBe("triton-jetson: -c and -u: -u names the endpoint, the cluster description (-c) would give its server node's; drop one\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await nodePort.close();
    }
  });

  test('--json and -o json are the output format (as in every command): the classes of each image as JSON, the same as the lines', async () => {
    const text = await runCli(['infer', '-u', server.address, '-m', 'inception_graphdef', '-s', 'INCEPTION', '--classes', '2', car]);
    const lines = linesOf(text.stdout).slice(1, 3);
    for (const flags of [['--json'], ['-o', 'json']]) {
      const result = await runCli(['infer', '-u', server.address, '-m', 'inception_graphdef', '-s', 'INCEPTION', '--classes', '2', ...flags, car]);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      const json = JSON.parse(result.stdout) as { model: string; version: string; batchSize: number; requests: { id: string; images: { score: number; index: number; label: string }[][] }[] };
      expect(json).toMatchObject({ model: 'inception_graphdef', version: 'latest', batchSize: 1, requests: [{ id: '1' }] });
      expect(json.requests[0].images).toHaveLength(1);
      expect(json.requests[0].images[0].map((c) => `    ${c.score.toFixed(6)} (${c.index}) = ${c.label}`)).toEqual(lines);
    }
    const both = await runCli(['infer', '-u', server.address, '-m', 'inception_graphdef', '--json', '-o', 'text', car]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--json and -o text ask for two output formats');
    // The tensor encoding has its own flag: --json never changes what is sent.
    expect(server.inferences.every((i) => i.encoding === 'binary')).toBe(true);
  });

  test('--tensor-encoding json sends the same tensor as JSON numbers and prints the same result', async () => {
    const result = await runCli(['infer', '-u', server.address, '-m', 'inception_graphdef', '-s', 'INCEPTION', '--classes', '2', '--tensor-encoding', 'json', car]);
    expect(result.code).toBe(0);
    const sent = solidTensor(carColour, 299 * 299, 'NHWC', inception);
    expect(linesOf(result.stdout)).toEqual(['Request 1, batch size 1', ...expectedLines(sent, inceptionGraphdef(), 2), 'PASS']);
    const received = server.inferences[0];
    expect(received.encoding).toBe('json');
    expectSameTensor(received.inputs[0].data, sent);
    expect(received.bodyBytes).toBeGreaterThan(4 * INCEPTION_BYTES);
    expect(server.requests).toContain('POST /v2/models/inception_graphdef/infer');
  });

  test('a folder with -b 2 sends batches of two, wrapping around to the first image', async () => {
    const dir = join(work, 'folder');
    mkdirSync(dir);
    const colours: Rgb[] = [];
    for (const [name, colour] of [['a.png', [255, 0, 0]], ['b.png', [0, 255, 0]], ['c.png', [10, 20, 250]]] as [string, Rgb][]) {
      colours.push(await solidImage(join(dir, name), colour, 'png', [320, 200]));
    }
    const lines: string[] = [];
    await runImageClient({ ...options(server), image: dir, batchSize: 2, classes: 1, scaling: 'INCEPTION' }, (l) => lines.push(l));

    const tensors = colours.map((c) => solidTensor(c, 299 * 299, 'NHWC', inception));
    expect(lines).toEqual([
      'Request 1, batch size 2', ...expectedLines(tensors[0], inceptionGraphdef(), 1), ...expectedLines(tensors[1], inceptionGraphdef(), 1),
      'Request 2, batch size 2', ...expectedLines(tensors[2], inceptionGraphdef(), 1), ...expectedLines(tensors[0], inceptionGraphdef(), 1),
      'PASS',
    ]);
    expect(server.inferences.map((i) => i.inputs[0].shape)).toEqual([[2, 299, 299, 3], [2, 299, 299, 3]]);
    expectSameTensor(server.inferences[1].inputs[0].data.subarray(299 * 299 * 3), tensors[0]);
  });
});

describe('models of other shapes', () => {
  // A ResNet-like ONNX model: NCHW, no batching, 224x224, VGG scaling.
  const nchw = inceptionGraphdef({
    name: 'resnet_nchw',
    platform: 'onnxruntime_onnx',
    maxBatchSize: 0,
    input: { name: 'data', datatype: 'FP32', format: 'FORMAT_NCHW', dims: [3, 224, 224] },
    output: { name: 'prob', datatype: 'FP32', dims: [1000], labelFilename: 'labels.txt' },
    labels: Array.from({ length: 1000 }, (_, i) => `THING ${i}`),
  });
  let server: KServeTestServer;
  let image: string;
  let colour: Rgb;

  beforeAll(async () => {
    server = await startKServeTestServer({ models: [nchw] });
    image = join(work, 'nchw.png');
    colour = await solidImage(image, [30, 160, 220], 'png', [300, 300]);
  });
  afterAll(() => server.close());

  test('NCHW without a batch dimension, VGG means subtracted per channel', async () => {
    const lines: string[] = [];
    await runImageClient({ ...options(server), modelName: 'resnet_nchw', image, classes: 2, scaling: 'VGG' }, (l) => lines.push(l));
    const means = [123, 117, 104];
    const sent = solidTensor(colour, 224 * 224, 'NCHW', (x, c) => x - means[c]);
    expect(server.inferences[0].inputs[0].shape).toEqual([3, 224, 224]);
    expectSameTensor(server.inferences[0].inputs[0].data, sent);
    expect(lines).toEqual(['Request 1, batch size 1', ...expectedLines(sent, nchw, 2, 'NCHW'), 'PASS']);
  });

  test('-b 2 on a model without batching is refused before sending anything', async () => {
    await expect(runImageClient({ ...options(server), modelName: 'resnet_nchw', image, batchSize: 2 }, () => undefined))
      .rejects.toThrow("model 'resnet_nchw' doesn't support batching (max_batch_size 0); use -b 1");
  });
});

describe('clear errors', () => {
  let server: KServeTestServer;
  let car: string;

  beforeAll(async () => {
    server = await startKServeTestServer({
      models: [
        inceptionGraphdef(),
        inceptionGraphdef({ name: 'loading_model', ready: false, reason: 'failed to load: out of memory' }),
        inceptionGraphdef({ name: 'two_inputs', extraInputs: [{ name: 'mask', datatype: 'FP32', dims: [299, 299, 1] }] }),
        inceptionGraphdef({ name: 'int8_input', input: { name: 'input', datatype: 'INT8', format: 'FORMAT_NHWC', dims: [299, 299, 3] } }),
        inceptionGraphdef({ name: 'no_format', input: { name: 'input', datatype: 'FP32', format: 'FORMAT_NONE', dims: [299, 299, 3] } }),
      ],
    });
    car = join(work, 'errors-car.png');
    await solidImage(car, [1, 2, 3], 'png', [40, 30]);
  });
  afterAll(() => server.close());

  const run = (overrides: Partial<ImageClientOptions>) =>
    runImageClient({ ...options(server), image: car, ...overrides }, () => undefined);

  test('model not found', async () => {
    await expect(run({ modelName: 'densenet' })).rejects.toThrow(
      `model 'densenet' not found on Triton at http://${server.address}: it is not in the model repository`,
    );
  });

  test('model version not found', async () => {
    await expect(run({ modelVersion: '7' })).rejects.toThrow(`model 'inception_graphdef' version 7 is not ready`);
  });

  test('model not ready, with Triton\'s reason', async () => {
    await expect(run({ modelName: 'loading_model' })).rejects.toThrow(
      `model 'loading_model' is not ready on Triton at http://${server.address} (state UNAVAILABLE: failed to load: out of memory)`,
    );
  });

  test('unexpected input count', async () => {
    await expect(run({ modelName: 'two_inputs' })).rejects.toThrow("model 'two_inputs' does not fit this image client: expecting 1 input, got 2");
  });

  test('unexpected input type', async () => {
    await expect(run({ modelName: 'int8_input' })).rejects.toThrow("expecting input datatype FP32, input 'input' is INT8");
  });

  test('input without NHWC/NCHW format', async () => {
    await expect(run({ modelName: 'no_format' })).rejects.toThrow('unexpected input format FORMAT_NONE, expecting FORMAT_NCHW or FORMAT_NHWC');
  });

  test('batch larger than max_batch_size', async () => {
    await expect(run({ batchSize: 129 })).rejects.toThrow("-b 129 exceeds the model's max_batch_size 128");
  });

  test('unreadable image: CLI exits 1 and names the file', async () => {
    const bad = join(work, 'broken.jpg');
    writeFileSync(bad, 'not an image');
    const result = await runCli(['infer', '-u', server.address, '-m', 'inception_graphdef', bad]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`triton-jetson: cannot read image '${bad}'`);
    const missing = await runCli(['infer', '-u', server.address, '-m', 'inception_graphdef', join(work, 'nope.jpg')]);
    expect(missing.stderr).toContain('no such file or folder');
  });

  test('unreachable server: CLI exits 1 with the URL, the reason and what to check', async () => {
    const port = await unusedPort();
    const result = await runCli(['infer', '-u', `127.0.0.1:${port}`, '-m', 'inception_graphdef', car]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach Triton at http://127.0.0.1:${port}/v2/models/inception_graphdef/ready: connection refused`);
    expect(result.stderr).toContain('kubectl get pods -l app=triton -o wide');
  });

  test('gRPC is refused with a hint', async () => {
    const result = await runCli(['infer', '-i', 'gRPC', '-u', server.address, '-m', 'inception_graphdef', car]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('this client speaks HTTP/REST only');
  });
});

function options(server: KServeTestServer): ImageClientOptions {
  return { baseUrl: baseUrlOf(server.address), modelName: 'inception_graphdef', image: '', timeoutMs: 5000, inferTimeoutMs: 20000 };
}
