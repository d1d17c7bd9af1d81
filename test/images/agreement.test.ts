/**
 * The recipe and the constructs agree: what the image's ENTRYPOINT and layout promise is
 * what the synthesized DaemonSet (default stack) relies on, and the constructs' default
 * image is the repository the recipe documents for the tutorial's preset.
 */
import { parseAllDocuments } from 'yaml';
import { parseClusterConfig, synthYaml } from '../../lib';
import { DEFAULT_TRITON_IMAGE, TRITON_BACKEND_DIRECTORY, TRITON_CONTAINER_NAME, TRITON_MODEL_REPOSITORY_PATH } from '../../lib/triton-daemon-set';
import {
  IMAGE_BACKEND_DIRECTORY, IMAGE_MODEL_REPOSITORY_PATH, PRESETS, TRITON_PREFIX, TUTORIAL_IMAGE_REPOSITORY, TUTORIAL_JETPACK,
} from '../../images/triton-jetson/presets';
import { imageReferences } from '../../images/triton-jetson/build-command';
import { parseBuildImageArgs } from '../../scripts/build-image';
import { instructionsOf, parseDockerfile, runScripts, stage } from './dockerfile-model';

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { containerPort: number; name?: string }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}

function defaultDaemonSet(cluster: unknown = {}, name = 'triton'): { container: Container; pod: { securityContext?: { runAsNonRoot?: boolean; runAsUser?: number } } } {
  const docs = parseAllDocuments(synthYaml(parseClusterConfig(cluster))).map((d) => d.toJS());
  const daemonSet = docs.find((d) => d?.kind === 'DaemonSet' && d.metadata?.name === name);
  if (!daemonSet) throw new Error(`the stack has no DaemonSet named ${name}`);
  const pod = daemonSet.spec.template.spec;
  const container = (pod.containers as Container[]).find((c) => c.name === TRITON_CONTAINER_NAME);
  if (!container) throw new Error(`the triton DaemonSet has no container ${TRITON_CONTAINER_NAME}`);
  return { container, pod };
}

/** Value of `--name=value` in a flag list. */
function flag(args: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  const found = args.filter((a) => a.startsWith(prefix));
  if (found.length > 1) throw new Error(`--${name} given ${found.length} times: ${found.join(' ')}`);
  return found[0]?.slice(prefix.length);
}

const parsed = parseDockerfile();
const runtime = stage(parsed, 'runtime');
const entrypoint: string[] = JSON.parse(instructionsOf(runtime, 'ENTRYPOINT')[0].getArgumentsContent() ?? '[]');
const { container, pod } = defaultDaemonSet();

describe('image recipe ↔ triton DaemonSet', () => {
  test('the ENTRYPOINT\'s backend directory is the constructs\' constant and where the recipe unpacks backends', () => {
    expect(entrypoint[0]).toBe('tritonserver');
    expect(flag(entrypoint, 'backend-directory')).toBe(TRITON_BACKEND_DIRECTORY);
    expect(IMAGE_BACKEND_DIRECTORY).toBe(TRITON_BACKEND_DIRECTORY);
    // fetch-triton.sh lays the release (bin/, lib/, backends/) out at the RUN's destination.
    const [fetch] = runScripts(parsed, stage(parsed, 'download')).filter((s) => s.includes('fetch-triton.sh'));
    const destination = fetch.split(/\s+/).pop();
    expect(`${destination}/backends`).toBe(TRITON_BACKEND_DIRECTORY);
    expect(destination).toBe(TRITON_PREFIX);
  });

  test('the DaemonSet keeps the ENTRYPOINT: no command, and no conflicting backend directory', () => {
    expect(container.command).toBeUndefined();
    const args = container.args ?? [];
    const backendArg = flag(args, 'backend-directory');
    expect(backendArg === undefined || backendArg === TRITON_BACKEND_DIRECTORY).toBe(true);
  });

  test('every profile starts Triton once: the recipe images (ENTRYPOINT tritonserver) get flags only, NGC\'s entrypoint gets tritonserver first', () => {
    const cluster = {
      nodes: { server: { name: 'n', profile: 'jetpack4' }, agents: [{ name: 'x', profile: 'jetpack5' }, { name: 'o', profile: 'jetpack6' }] },
      triton: { images: { jetpack5: `registry.lan/triton-jetson:${PRESETS['5.1.2'].tag}` } },
      seeding: { builtinModels: false, catalogModels: ['densenet_onnx'] },
    };
    for (const profile of ['jetpack4', 'jetpack5']) {
      const { container: recipe } = defaultDaemonSet(cluster, `triton-${profile}`);
      // The ENTRYPOINT already is tritonserver: a "tritonserver" argument would be a stray positional one.
      expect(recipe.command).toBeUndefined();
      expect((recipe.args ?? []).every((a) => a.startsWith('--'))).toBe(true);
      expect([undefined, TRITON_BACKEND_DIRECTORY]).toContain(flag(recipe.args ?? [], 'backend-directory'));
    }
    // NGC: /opt/nvidia/nvidia_entrypoint.sh stays the ENTRYPOINT and executes its arguments (exec "$@").
    const { container: ngc } = defaultDaemonSet(cluster, 'triton-jetpack6');
    expect(ngc.command).toBeUndefined();
    expect(ngc.args?.[0]).toBe('tritonserver');
    expect(flag(ngc.args ?? [], 'backend-directory')).toBe('/opt/tritonserver/backends');
  });

  test('--model-repository is the models volume\'s mount path, the constant, and the image\'s mount point', () => {
    const repository = flag(container.args ?? [], 'model-repository');
    const modelsMount = (container.volumeMounts ?? []).find((m) => m.name === 'models');
    expect(repository).toBe(TRITON_MODEL_REPOSITORY_PATH);
    expect(modelsMount?.mountPath).toBe(repository);
    expect(IMAGE_MODEL_REPOSITORY_PATH).toBe(repository);
    // The image's own default (for a bare docker run) points there too.
    const cmd: string[] = JSON.parse(instructionsOf(runtime, 'CMD')[0].getArgumentsContent() ?? '[]');
    expect(flag(cmd, 'model-repository')).toBe(repository);
  });

  test('the Nano\'s compute capability and TensorFlow 2 flags are passed by the DaemonSet', () => {
    const args = container.args ?? [];
    expect(flag(args, 'min-supported-compute-capability')).toBe('5.3');
    expect(flag(args, 'backend-config')).toBe('tensorflow,version=2');
  });

  test('the exposed ports are the container\'s ports', () => {
    const exposed = instructionsOf(runtime, 'EXPOSE').flatMap((e) => (e.getArgumentsContent() ?? '').split(/\s+/)).map(Number);
    expect((container.ports ?? []).map((p) => p.containerPort).sort()).toEqual(exposed.sort());
  });

  test('both run Triton as root: USER root in the image, runAsNonRoot false and no other user in the DaemonSet', () => {
    const users = instructionsOf(runtime, 'USER');
    expect(users[users.length - 1].getArgumentsContent()).toBe('root');
    for (const context of [pod.securityContext ?? {}, container.securityContext ?? {}]) {
      expect(context.runAsNonRoot).not.toBe(true);
      expect(context.runAsUser ?? 0).toBe(0);
    }
  });

  test('the default image is the tutorial\'s repository, which is the default --image of image:build', () => {
    const repository = container.image.replace(/:[^/:@]+$/, '');
    expect(container.image).toBe(DEFAULT_TRITON_IMAGE);
    expect(repository).toBe(TUTORIAL_IMAGE_REPOSITORY);
    expect(parseBuildImageArgs([]).request.repository).toBe(TUTORIAL_IMAGE_REPOSITORY);
    // janakiramm/triton-jetson is the tutorial's build: Triton 2.17.0 on l4t-base r32.6.1.
    expect(PRESETS[TUTORIAL_JETPACK]).toMatchObject({ tritonVersion: '2.17.0', baseImage: 'nvcr.io/nvidia/l4t-base:r32.6.1' });
  });

  test.each(Object.keys(PRESETS))('JetPack %s: the reference image:build pushes is accepted as triton.image and deployed as is', (jetpack) => {
    const { request } = parseBuildImageArgs(['--jetpack', jetpack, '--image', 'registry.local:5000/edge/triton-jetson']);
    const [reference] = imageReferences(request);
    expect(reference).toBe(`registry.local:5000/edge/triton-jetson:${PRESETS[jetpack].tag}`);
    expect(defaultDaemonSet({ triton: { image: reference } }).container.image).toBe(reference);
  });
});
