/**
 * What `infer` prints is image_client.py's output (triton-inference-server/client,
 * src/python/examples/image_client.py at 41950796207bca82f1666f322db77da8215d8355,
 * 2022-05-04, the r22.05-r22.12 version), and how the commands find their cluster
 * description and word their failures.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { oneLineMessage } from '../../client/cli';
import { baseUrlOf } from '../../client/endpoint';
import { imageClientLine, inferResponseCap, runImageClient } from '../../client/image-client';
import { ClusterConfigError } from '../../lib/config/cluster-config';
import { inceptionGraphdef, startKServeTestServer } from '../support/kserve-test-server';
import { scratchDirs } from '../support/scratch';

const scratch = scratchDirs();

describe("image_client.py's lines", () => {
  // postprocess(): cls = text.split(':'); print("    {} ({}) = {}".format(cls[0], cls[1], cls[2]))
  test.each([
    ['0.826384:505:COFFEE MUG', '    0.826384 (505) = COFFEE MUG'],
    ['12.000000:3:TABBY', '    12.000000 (3) = TABBY'],
    // Python's split(':') keeps only the label's part before a colon.
    ['0.500000:1:RATIO 16:9', '    0.500000 (1) = RATIO 16'],
    // No labels file: Python would stop with an IndexError; the fields print empty.
    ['0.500000:1', '    0.500000 (1) = '],
  ])('%s', (text, line) => {
    expect(imageClientLine(text)).toBe(line);
  });

  test('Request ids count from 1 (sent_count += 1 before sending); the id Triton echoes is printed, else the one sent', async () => {
    const labels = Array.from({ length: 1001 }, (_, i) => (i === 7 ? 'TABBY CAT' : `LABEL ${i}`));
    const server = await startKServeTestServer({ models: [inceptionGraphdef({ labels })] });
    const work = scratch('output-contract-');
    const image = join(work, 'a.png');
    await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toFile(image);
    try {
      const lines: string[] = [];
      await runImageClient({ baseUrl: baseUrlOf(server.address), modelName: 'inception_graphdef', image, classes: 2 }, (l) => lines.push(l));
      expect(lines[0]).toBe('Request 1, batch size 1');
      expect(lines.slice(1, 3).every((l) => /^ {4}\d+\.\d{6} \(\d+\) = [A-Z0-9 ]+$/.test(l))).toBe(true);
      expect(lines[3]).toBe('PASS');
      expect(server.inferences.map((i) => i.header.id)).toEqual(['1']);
    } finally {
      await server.close();
    }
  });

  test('an answer without id (Triton always echoes it; a proxy might not) prints the id that was sent', async () => {
    const classification = Buffer.from('0.999000:7:TABBY CAT');
    const element = Buffer.concat([Buffer.from([classification.length, 0, 0, 0]), classification]);
    const server = await startKServeTestServer({
      intercept: (request, res) => {
        if (!request.path.endsWith('/infer')) return false;
        const header = Buffer.from(JSON.stringify({
          model_name: 'inception_graphdef',
          outputs: [{ name: 'InceptionV3/Predictions/Softmax', datatype: 'BYTES', shape: [1, 1], parameters: { binary_data_size: element.length } }],
        }));
        res.writeHead(200, { 'Inference-Header-Content-Length': String(header.length) });
        res.end(Buffer.concat([header, element]));
        return true;
      },
    });
    const work = scratch('output-contract-');
    const image = join(work, 'a.png');
    await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 9, g: 9, b: 9 } } }).png().toFile(image);
    try {
      const lines: string[] = [];
      await runImageClient({ baseUrl: baseUrlOf(server.address), modelName: 'inception_graphdef', image }, (l) => lines.push(l));
      expect(lines).toEqual(['Request 1, batch size 1', '    0.999000 (7) = TABBY CAT', 'PASS']);
    } finally {
      await server.close();
    }
  });

  test('the inference answer cap follows the classes asked for', () => {
    expect(inferResponseCap(1, 3, { outputClasses: 1001 })).toBe(1024 * 1024 + 3 * 4096);
    expect(inferResponseCap(1, 5000, { outputClasses: 1001 })).toBe(1024 * 1024 + 1001 * 4096);
    expect(inferResponseCap(128, 1001, { outputClasses: 1001 })).toBe(256 * 1024 * 1024);
  });
});

describe('failures are one line', () => {
  test('a cluster description with several problems', () => {
    const err = new ClusterConfigError('c.yaml', ['namespace: bad', 'service.nodePorts.http: out of range']);
    expect(err.message).toContain('\n');
    expect(oneLineMessage(err)).toBe('invalid cluster description c.yaml: namespace: bad; service.nodePorts.http: out of range');
  });

  test('any other multi-line message, and things that are not errors', () => {
    expect(oneLineMessage(new Error('first\n  second\n'))).toBe('first; second');
    expect(oneLineMessage('plain')).toBe('plain');
    expect(oneLineMessage(new Error(''))).toBe('Error');
  });
});
