/**
 * The shapes of the model catalog (lib/model-catalog.ts) and of cluster.yaml's `models:`
 * entries (lib/config/models-schema.ts validates them): in a file of their own, so the
 * catalog and its schema do not import each other.
 */
import type { ModelConfig } from './model-config';

/** How a download is unpacked: a gzip'd tarball, or the file itself. */
export type ModelArchiveType = 'tar.gz' | 'file';

/** One file of a download, and where it goes in the model folder. */
export interface ModelFileMapping {
  /**
   * Member of the archive (path inside the tarball); leave out for a plain `file` download.
   * @default - the downloaded file itself (archive "file")
   */
  readonly from?: string;
  /** Path inside the model folder, e.g. "1/model.graphdef" or "labels.txt". */
  readonly to: string;
}

/** A file to download for a model. */
export interface ModelDownload {
  /** http(s) URL; with a mirror, only its last path segment is kept. */
  readonly url: string;
  /**
   * Expected sha256 of the downloaded file (64 hex digits), checked before anything is
   * published.
   * @default - not checked (TLS and the archive's own checksums only)
   */
  readonly sha256?: string;
  /**
   * "tar.gz": a gzip'd tarball whose members `files` pick; "file": the download is the file.
   * @default "tar.gz"
   */
  readonly archive?: ModelArchiveType;
  /** Which files to take from it and where they go. */
  readonly files: readonly ModelFileMapping[];
}

/** A small file shipped in the seeding ConfigMap instead of downloaded (e.g. labels). */
export interface ModelInlineFile {
  /** Path inside the model folder, e.g. "labels.txt". */
  readonly to: string;
  /** Its content (text, at most 256 KiB). */
  readonly content: string;
}

/** A model of the catalog. */
export interface ModelDefinition {
  /** Model name: the folder in the repository and Triton's model name. */
  readonly name: string;
  /** Downloads that, together with `inlineFiles`, give every file of the model folder except config.pbtxt. */
  readonly downloads: readonly ModelDownload[];
  /**
   * Files shipped in the seeding ConfigMap (no download; good for air-gapped sites).
   * @default - none
   */
  readonly inlineFiles?: readonly ModelInlineFile[];
  /** Rendered into config.pbtxt (never downloaded). */
  readonly config: ModelConfig;
}
