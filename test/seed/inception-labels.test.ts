/**
 * The label file the Job publishes as inception_graphdef/inception_labels.txt is Triton's
 * own (the one the tutorial downloads), not the TensorFlow tarball's imagenet_slim_labels.txt.
 */
import { readFileSync } from 'node:fs';
import { INCEPTION_GRAPHDEF } from '../../lib/model-catalog';
import { INCEPTION_LABELS } from '../../lib/seed/inception-labels';
import { seedConfigMapData } from '../../lib/seed/seed-plan';
import { LABELS_MODULE, LABELS_SOURCE, renderLabelsModule } from './embed-seed-script';
import { INCEPTION_LABELS_FILE, INCEPTION_LABELS_SHA256, sha256 } from './seed-fixture';

describe('inception_labels.txt (Triton v2.19.0 docs/examples/model_repository/inception_graphdef)', () => {
  const bytes = readFileSync(INCEPTION_LABELS_FILE);
  const lines = bytes.toString('utf-8').split('\n');

  it('is the upstream file: sha256, 1001 lines, known classes at known indexes', () => {
    expect(sha256(bytes)).toBe(INCEPTION_LABELS_SHA256);
    expect(lines.pop()).toBe(''); // ends with a newline
    expect(lines).toHaveLength(1001);
    expect(lines[0]).toBe('UNUSED BACKGROUND');
    expect(lines[505]).toBe('COFFEE MUG');
    expect(lines[818]).toBe('SPORTS CAR');
    expect(bytes.includes('\r')).toBe(false);
  });

  it('is embedded unchanged (npx tsx test/seed/embed-seed-script.ts) and shipped in the ConfigMap', () => {
    expect(LABELS_SOURCE).toBe(INCEPTION_LABELS_FILE);
    expect(readFileSync(LABELS_MODULE, 'utf-8')).toBe(renderLabelsModule(bytes.toString('utf-8')));
    expect(Buffer.from(INCEPTION_LABELS, 'utf-8').equals(bytes)).toBe(true);
    expect(INCEPTION_GRAPHDEF.inlineFiles).toEqual([{ to: 'inception_labels.txt', content: INCEPTION_LABELS }]);
    const data = seedConfigMapData([INCEPTION_GRAPHDEF]);
    expect(data['inception_graphdef.inline.0']).toBe(INCEPTION_LABELS);
    expect(data['models.list']).toContain('inline inception_graphdef 0 inception_labels.txt\n');
  });

  it('matches the output tensor: 1001 classes, as label_filename', () => {
    expect(INCEPTION_GRAPHDEF.config.output[0]).toMatchObject({ dims: [1001], labelFilename: 'inception_labels.txt' });
  });
});
