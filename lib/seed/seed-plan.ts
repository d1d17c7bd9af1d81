/**
 * What the seeding Job receives through its ConfigMap: the script, a line-oriented
 * model list the script reads with `read`, and one rendered config.pbtxt per model.
 */
import { createHash } from 'node:crypto';
import { ModelCatalogError, ModelDefinition, urlBaseName } from '../model-catalog';
import { renderModelConfig } from '../model-config';
import { SEED_MODELS_SCRIPT } from './seed-models-script';

/** ConfigMap keys. */
export const SEED_SCRIPT_KEY = 'seed-models.sh';
export const SEED_MODEL_LIST_KEY = 'models.list';
/** ConfigMap key of a model's rendered configuration. */
export function configKey(modelName: string): string {
  return `${modelName}.config.pbtxt`;
}
/** ConfigMap key of a model's inline file `index`. */
export function inlineKey(modelName: string, index: number): string {
  return `${modelName}.inline.${index}`;
}

// Bump when the on-volume layout or the manifest changes, so every model is re-seeded.
const SEED_FORMAT = 1;

/**
 * The seed key of a model: a hash of everything that decides its published folder
 * (files, their sources and pins, the rendered config.pbtxt) but not of where it is
 * fetched from, so switching to a mirror does not re-download anything.
 */
export function modelSeedKey(model: ModelDefinition): string {
  return sha256Json({ format: SEED_FORMAT, files: modelFilesKey(model), config: renderModelConfig(model.name, model.config) });
}

/**
 * The files key of a model: a hash of its downloads alone. When only config.pbtxt
 * changes, the seed key changes but this one does not, and the script reuses the
 * published files instead of downloading them again.
 */
export function modelFilesKey(model: ModelDefinition): string {
  return sha256Json({
    format: SEED_FORMAT,
    name: model.name,
    downloads: model.downloads.map((d) => ({
      url: d.url,
      sha256: d.sha256 ?? null,
      archive: d.archive ?? 'tar.gz',
      files: d.files.map((f) => ({ from: f.from ?? null, to: f.to })),
    })),
    ...(model.inlineFiles !== undefined && model.inlineFiles.length > 0
      ? { inline: model.inlineFiles.map((f) => ({ to: f.to, sha256: createHash('sha256').update(f.content).digest('hex') })) }
      : {}),
  });
}

function sha256Json(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** The URL a download is fetched from: `<mirror>/<file name>` with a mirror. */
export function effectiveUrl(url: string, mirror?: string): string {
  if (mirror === undefined) return url;
  return `${mirror.replace(/\/+$/, '')}/${urlBaseName(url)}`;
}

/** The model list (see lib/seed/seed-models.sh for the format). */
export function renderModelList(models: readonly ModelDefinition[], mirror?: string): string {
  const lines = ['# model <name> <key> <files key> | download <name> <index> <archive> <sha256|-> <url> | file <name> <index> <member|-> <to> | inline <name> <index> <to>'];
  for (const model of models) {
    lines.push(`model ${model.name} ${modelSeedKey(model)} ${modelFilesKey(model)}`);
    model.downloads.forEach((download, index) => {
      const url = effectiveUrl(download.url, mirror);
      if (/\s/.test(url)) throw new ModelCatalogError(`model "${model.name}": download URL "${url}" contains spaces`);
      lines.push(`download ${model.name} ${index} ${download.archive ?? 'tar.gz'} ${download.sha256 ?? '-'} ${url}`);
      for (const file of download.files) lines.push(`file ${model.name} ${index} ${file.from ?? '-'} ${file.to}`);
    });
    (model.inlineFiles ?? []).forEach((file, index) => lines.push(`inline ${model.name} ${index} ${file.to}`));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Most bytes the values of a ConfigMap may add up to: the API server refuses more
 * (kubernetes/kubernetes pkg/apis/core/validation/validation.go, ValidateConfigMap: the
 * lengths of every `data` and `binaryData` value are summed and compared with
 * core.MaxSecretSize, 1 MiB; keys do not count).
 */
export const MAX_CONFIG_MAP_DATA_BYTES = 1024 * 1024;

/**
 * Why the seeding ConfigMap of these models would be refused by the API server, naming the
 * models that weigh most (their config.pbtxt and inline files), or undefined when it fits.
 */
export function seedConfigMapSizeProblem(models: readonly ModelDefinition[], mirror?: string): string | undefined {
  const data = seedConfigMapData(models, mirror);
  const total = Object.values(data).reduce((sum, value) => sum + Buffer.byteLength(value), 0);
  if (total <= MAX_CONFIG_MAP_DATA_BYTES) return undefined;
  const weights = models.map((model) => ({
    name: model.name,
    bytes: Buffer.byteLength(data[configKey(model.name)] ?? '') + (model.inlineFiles ?? []).reduce((sum, _file, i) => sum + Buffer.byteLength(data[inlineKey(model.name, i)] ?? ''), 0),
  })).sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  const heaviest = weights.slice(0, 3).map((w) => `${w.name} ${formatSize(w.bytes)}`).join(', ');
  return `the seeding ConfigMap would hold ${formatSize(total)} (${total} bytes), over the API server's limit of 1 MiB ` +
    `(${MAX_CONFIG_MAP_DATA_BYTES} bytes); heaviest: ${heaviest}; move large inlineFiles to downloads`;
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The ConfigMap's data: script, model list and every config.pbtxt (sorted keys). */
export function seedConfigMapData(models: readonly ModelDefinition[], mirror?: string): Record<string, string> {
  const data: Record<string, string> = {
    [SEED_SCRIPT_KEY]: SEED_MODELS_SCRIPT,
    [SEED_MODEL_LIST_KEY]: renderModelList(models, mirror),
  };
  for (const model of models) {
    data[configKey(model.name)] = renderModelConfig(model.name, model.config);
    (model.inlineFiles ?? []).forEach((file, index) => { data[inlineKey(model.name, index)] = file.content; });
  }
  return Object.fromEntries(Object.entries(data).sort(([a], [b]) => a.localeCompare(b)));
}
