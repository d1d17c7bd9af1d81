/**
 * What a Jetson expert would check in the manifests: the backends of each image's Triton
 * release, a pullable jetpack5 image, the NVIDIA runtime's environment, one bad model never
 * taking a Triton out, NGC's entrypoint kept. Synth-level: the stack as users build it.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClusterConfigInput, TritonJetsonStack } from '../../lib';
import { synthCommand } from '../../lib/synth-command';
import { TritonImageError, UnservableModelError } from '../../lib/triton-images';
import { compareTritonVersions, jetsonBackendsOf, tritonVersionOfImage, tritonVersionOfNgcRelease } from '../../lib/triton-versions';
import { PRESETS } from '../../images/triton-jetson/presets';
import { findManifest, Manifest, podSpec } from '../support/manifests';
import { synthManifests } from '../support/synth';
import { VARIANTS } from '../support/variants';
import { testChart } from './helpers';

/** A TorchScript model, as a user lists it under `models:`. */
const RESNET_PT = {
  name: 'resnet_pt',
  downloads: [{ url: 'https://models.example.com/resnet/model.pt', archive: 'file' as const, files: [{ to: '1/model.pt' }] }],
  config: {
    platform: 'pytorch_libtorch', maxBatchSize: 0,
    input: [{ name: 'input__0', dataType: 'TYPE_FP32' as const, dims: [3, 224, 224] }],
    output: [{ name: 'output__0', dataType: 'TYPE_FP32' as const, dims: [1000] }],
  },
};
const PYTHON_MODEL = { ...RESNET_PT, name: 'preprocess', config: { ...RESNET_PT.config, platform: undefined, backend: 'python' } };
const ONNX_ONLY = { seeding: { builtinModels: false, catalogModels: ['densenet_onnx' as const] } };
const JETPACK5_IMAGE = 'registry.lan:5000/edge/triton-jetson:2.35.0-jetpack5.1.2';

const tritonDaemonSets = (manifests: Manifest[]) => manifests.filter((m) => m.kind === 'DaemonSet' && m.metadata.labels?.['app.kubernetes.io/name'] === 'triton');
const container = (ds: Manifest) => podSpec(ds).containers[0];

/** The error a description gets, with its issues. */
function refusal(cluster: ClusterConfigInput): { name: string; message: string; issues: readonly string[] } {
  try {
    synthManifests(cluster);
  } catch (err) {
    const e = err as { name: string; message: string; issues: readonly string[] };
    return { name: e.name, message: e.message, issues: e.issues };
  }
  throw new Error('synth accepted the description');
}

describe('the Triton release of an image, and its backends on Jetson', () => {
  test('told by the reference: the tutorial\'s image, every recipe preset\'s tag, NGC -py3-igpu tags on any registry', () => {
    expect(tritonVersionOfImage('janakiramm/triton-jetson')).toBe('2.17.0');
    expect(tritonVersionOfImage('docker.io/janakiramm/triton-jetson:latest')).toBe('2.17.0');
    for (const preset of Object.values(PRESETS)) {
      expect(tritonVersionOfImage(`registry.lan/edge/triton-jetson:${preset.tag}`)).toBe(preset.tritonVersion);
    }
    expect(tritonVersionOfImage('nvcr.io/nvidia/tritonserver:25.03-py3-igpu')).toBe('2.56.0');
    expect(tritonVersionOfImage('registry.lan/mirror/tritonserver:23.12-py3-igpu')).toBe('2.41.0');
    // Not a Jetson tag, not a Triton repository, a moving tag: nothing is told.
    for (const image of ['nvcr.io/nvidia/tritonserver:25.03-py3', 'registry.lan/other:25.03-py3-igpu', 'registry.lan/triton:latest', 'registry.lan/triton']) {
      expect(tritonVersionOfImage(image)).toBeUndefined();
    }
  });

  test('NGC releases map to Triton releases as server build.py has them (no 25.07)', () => {
    expect(tritonVersionOfNgcRelease('21.12')).toBe('2.17.0');
    expect(tritonVersionOfNgcRelease('22.02')).toBe('2.19.0');
    expect(tritonVersionOfNgcRelease('23.06')).toBe('2.35.0');
    expect(tritonVersionOfNgcRelease('25.06')).toBe('2.59.0');
    expect(tritonVersionOfNgcRelease('25.07')).toBeUndefined();
    expect(tritonVersionOfNgcRelease('25.08')).toBe('2.60.0');
    expect(tritonVersionOfNgcRelease('26.02')).toBe('2.66.0');
    expect(tritonVersionOfNgcRelease('26.08')).toBeUndefined();
    expect(tritonVersionOfNgcRelease('21.08')).toBeUndefined();
  });

  test('PyTorch and Python from 2.18.0; TensorFlow until 2.40 (not established in -igpu images), gone in 2.56.0', () => {
    expect(jetsonBackendsOf('2.17.0')).toEqual(['tensorrt', 'tensorflow', 'onnxruntime']);
    expect(jetsonBackendsOf('2.18.0')).toContain('pytorch');
    expect(jetsonBackendsOf('2.19.0')).toContain('python');
    expect(jetsonBackendsOf('2.40.0')).toContain('tensorflow');
    expect(jetsonBackendsOf('2.41.0')).not.toContain('tensorflow');
    expect(jetsonBackendsOf('2.56.0')).toEqual(['tensorrt', 'onnxruntime', 'pytorch', 'python']);
    expect(jetsonBackendsOf('2.13.0')).toBeUndefined();
    expect(compareTritonVersions('2.9.0', '2.17.0')).toBeLessThan(0);
  });
});

describe('a model the image cannot load is refused at synth, in one line', () => {
  test('a PyTorch model on the tutorial\'s Nano fleet (no profile): names the model, the profile, the image and its release', () => {
    const refused = refusal({ models: [RESNET_PT] });
    expect(refused.name).toBe('UnservableModelError');
    expect(refused.issues).toEqual([
      'models[0]: model "resnet_pt" needs the pytorch backend; the jetpack4 image janakiramm/triton-jetson (Triton 2.17.0) has tensorrt, '
      + 'tensorflow, onnxruntime on Jetson (pytorch from Triton 2.18.0); drop the model or set triton.image to an image with pytorch',
    ]);
    expect(refused.message).not.toContain('\n');
    // The same on a fleet of declared Nanos, and for a Python backend model.
    expect(refusal({ nodes: { server: { name: 'jm-node-1', profile: 'jetpack4' } }, models: [RESNET_PT] }).issues[0]).toMatch(/^models\[0\]: model "resnet_pt" .*jetpack4 image janakiramm\/triton-jetson \(Triton 2\.17\.0\)/);
    expect(refusal({ models: [PYTHON_MODEL] }).issues[0]).toMatch(/^models\[0\]: model "preprocess" needs the python backend; .*\(python from Triton 2\.18\.0\)/);
  });

  test('the same model is accepted with a Triton 2.19 image (told by its tag, or declared)', () => {
    const tagged = `registry.lan/triton-jetson:${PRESETS['4.6.1'].tag}`;
    expect(container(findManifest(synthManifests({ triton: { image: tagged }, models: [RESNET_PT] }), 'DaemonSet', 'triton')).image).toBe(tagged);
    expect(() => synthManifests({ triton: { image: 'registry.lan/triton:custom', tritonVersions: { jetpack4: '2.19.0' } }, models: [RESNET_PT] })).not.toThrow();
    expect(refusal({ triton: { image: 'registry.lan/triton:custom', tritonVersions: { jetpack4: '2.17.0' } }, models: [RESNET_PT] }).name).toBe('UnservableModelError');
  });

  test('a backend no Triton release is known to ship on Jetson: refused without promising an image that would do', () => {
    // e.g. DALI: no image fixes it here (the table knows five backends), so the fix is not "set triton.image".
    const dali = { ...RESNET_PT, name: 'dali_pre', config: { ...RESNET_PT.config, platform: undefined, backend: 'dali' } };
    const issues = refusal({ triton: { image: 'registry.lan/triton:custom', tritonVersions: { jetpack4: '2.19.0' } }, models: [dali] }).issues;
    expect(issues).toEqual([
      'models[0]: model "dali_pre" needs the dali backend, which no Triton release is known here to ship on Jetson '
      + '(known: tensorrt, tensorflow, onnxruntime, pytorch, python; docs/profiles.md "Backends per Triton release"); drop the model or serve it with one of those backends',
    ]);
  });

  test('an image whose release cannot be told is refused while models depend on it, naming the setting to declare', () => {
    const refused = refusal({ triton: { image: 'registry.lan/triton:custom' } });
    expect(refused.name).toBe('TritonImageError');
    expect(refused.issues).toEqual([
      'triton.tritonVersions.jetpack4: the Triton release in triton.image "registry.lan/triton:custom" cannot be told from its reference, '
      + 'and the seeded models\' backends depend on it; declare it, e.g. triton.tritonVersions.jetpack4: "2.19.0"',
    ]);
    // Nothing seeded, nothing to check.
    expect(() => synthManifests({ triton: { image: 'registry.lan/triton:custom' }, seeding: { enabled: false } })).not.toThrow();
    expect(refusal({ triton: { image: 'registry.lan/triton:custom', tritonVersions: { jetpack4: '2.9.0' } } }).issues[0])
      .toMatch(/^triton\.tritonVersions\.jetpack4: Triton 2\.9\.0 .* is older than 2\.14\.0/);
    expect(() => synthManifests({ triton: { tritonVersions: { jetpack4: '22.02' } } })).toThrow(/triton\.tritonVersions\.jetpack4: must be a Triton release such as "2\.19\.0"/);
    // YAML reads an unquoted 2.19 as a number: the line says to quote the full release.
    expect(() => synthManifests({ triton: { tritonVersions: { jetpack4: 2.19 as never } } })).toThrow(/triton\.tritonVersions\.jetpack4: must be a Triton release in quotes such as "2\.19\.0" \(YAML reads 2\.19 unquoted as a number\)/);
  });

  test('a user\'s jetpack6 image is checked by its own release: TensorFlow in an -igpu image before 25.03 is not assumed', () => {
    const cluster = { nodes: { server: { name: 'orin-1', profile: 'jetpack6' as const } }, triton: { images: { jetpack6: 'registry.lan/tritonserver:24.08-py3-igpu' } } };
    expect(refusal(cluster).issues[0]).toMatch(/^seeding\.builtinModels: model "inception_graphdef" needs the tensorflow backend; the jetpack6 image registry\.lan\/tritonserver:24\.08-py3-igpu \(Triton 2\.49\.0\)/);
    expect(() => synthManifests({ ...cluster, ...ONNX_ONLY })).not.toThrow();
  });

  test('the refusal leaves no construct behind, and npm run synth prints it as one line and writes nothing', () => {
    const chart = testChart();
    expect(() => new TritonJetsonStack(chart, 'stack', { models: [RESNET_PT] })).toThrow(UnservableModelError);
    expect(chart.node.children).toHaveLength(0);
    const work = mkdtempSync(path.join(tmpdir(), 'triton-images-'));
    try {
      writeFileSync(path.join(work, 'cluster.yaml'), JSON.stringify({ models: [RESNET_PT] }));
      const lines: string[] = [];
      expect(synthCommand({ config: path.join(work, 'cluster.yaml'), out: path.join(work, 'out') }, { env: {}, error: (l) => lines.push(l) })).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^synth: models some Triton image cannot load .*: models\[0\]: model "resnet_pt" needs the pytorch backend; the jetpack4 image .* \(.*out\/ left unchanged\)$/);
      expect(readdirSync(work)).toEqual(['cluster.yaml']);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('jetpack5 needs the user\'s image', () => {
  test('a jetpack5 board without triton.images.jetpack5 is refused in one line naming it and how to build and push', () => {
    const refused = refusal({ nodes: { server: { name: 'xavier-1', profile: 'jetpack5' }, agents: [{ name: 'xavier-2', profile: 'jetpack5' }] } });
    expect(refused.name).toBe('TritonImageError');
    expect(refused.issues).toEqual([
      'triton.images.jetpack5: the jetpack5 boards (xavier-1, xavier-2) need your image: "triton-jetson:2.35.0-jetpack5.1.2" names no registry '
      + '(ErrImagePull); build and push it: npm run image:build -- --jetpack 5.1.2 --image <registry>/triton-jetson (docs/image.md), then set triton.images.jetpack5',
    ]);
    expect(refusal({ triton: { profiles: ['jetpack5'] } }).issues[0]).toMatch(/^triton\.images\.jetpack5: the jetpack5 DaemonSet needs your image/);
    const chart = testChart();
    expect(() => new TritonJetsonStack(chart, 'stack', { fleet: { nodes: [{ name: 'xavier-1', profile: 'jetpack5' }] } })).toThrow(TritonImageError);
    expect(chart.node.children).toHaveLength(0);
  });

  test('with the pushed image it renders, told Triton 2.35.0 by its tag', () => {
    const ds = findManifest(synthManifests({ nodes: { server: { name: 'xavier-1', profile: 'jetpack5' } }, triton: { images: { jetpack5: JETPACK5_IMAGE } } }), 'DaemonSet', 'triton-jetpack5');
    expect(container(ds).image).toBe(JETPACK5_IMAGE);
  });
});

describe('every Triton pod asks the NVIDIA runtime for the GPU', () => {
  test.each(Object.entries(VARIANTS))('%s: NVIDIA_VISIBLE_DEVICES=all and NVIDIA_DRIVER_CAPABILITIES=all on every Triton container', (_name, cluster) => {
    for (const ds of tritonDaemonSets(synthManifests(cluster))) {
      // First, before any variable the user adds (which may not redefine them).
      expect(container(ds).env.slice(0, 2)).toEqual([
        { name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' },
        { name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'all' },
      ]);
    }
  });
});

describe('one bad model does not take a Triton down', () => {
  test.each(Object.entries(VARIANTS))('%s: Triton keeps serving when a model fails (--exit-on-error=false, --strict-readiness=false)', (_name, cluster) => {
    for (const ds of tritonDaemonSets(synthManifests(cluster))) {
      const args: string[] = container(ds).args;
      expect(args).toContain('--exit-on-error=false');
      expect(args).toContain('--strict-readiness=false');
      // Liveness and startup stay on Triton's own health.
      expect(container(ds).livenessProbe.httpGet.path).toBe('/v2/health/live');
      expect(container(ds).startupProbe.httpGet.path).toBe('/v2/health/live');
    }
  });

  test('readiness is the first seeded model\'s, or triton.readinessModel; Triton\'s own with seeding off', () => {
    const readiness = (cluster: ClusterConfigInput) => tritonDaemonSets(synthManifests(cluster)).map((ds) => container(ds).readinessProbe.httpGet.path);
    expect(readiness({})).toEqual(['/v2/models/inception_graphdef/ready']);
    expect(readiness(VARIANTS['mixed Nano and Orin'])).toEqual(['/v2/models/densenet_onnx/ready', '/v2/models/densenet_onnx/ready']);
    expect(readiness({ seeding: { catalogModels: ['densenet_onnx'] }, triton: { readinessModel: 'densenet_onnx' } })).toEqual(['/v2/models/densenet_onnx/ready']);
    expect(readiness({ seeding: { enabled: false } })).toEqual(['/v2/health/ready']);
    expect(readiness({ seeding: { enabled: false }, triton: { readinessModel: 'my_model' } })).toEqual(['/v2/models/my_model/ready']);
    expect(refusal({ triton: { readinessModel: 'densenet' } }).issues).toEqual([
      'triton.readinessModel: "densenet" is not a model the stack seeds (inception_graphdef); every Triton would stay unready, out of the Service: '
      + 'name a seeded one, or turn seeding off to fill the repository by hand',
    ]);
  });
});

describe('each image starts Triton its own way', () => {
  test('NGC\'s -igpu image keeps its entrypoint (no command; tritonserver is the first argument); the recipe images keep theirs too', () => {
    const manifests = synthManifests(VARIANTS['Nano, Xavier and Orin']);
    const byProfile = Object.fromEntries(tritonDaemonSets(manifests).map((ds) => [ds.metadata.name, container(ds)]));
    expect(Object.keys(byProfile)).toEqual(['triton-jetpack4', 'triton-jetpack5', 'triton-jetpack6']);
    for (const c of Object.values(byProfile)) expect(c.command).toBeUndefined();
    expect(byProfile['triton-jetpack6'].args[0]).toBe('tritonserver');
    expect(byProfile['triton-jetpack6'].args.slice(1).every((a: string) => a.startsWith('--'))).toBe(true);
    // The recipe's ENTRYPOINT is tritonserver itself: flags only.
    for (const name of ['triton-jetpack4', 'triton-jetpack5']) expect(byProfile[name].args.every((a: string) => a.startsWith('--'))).toBe(true);
  });
});
