/**
 * The air-gapped install (k3s.airGapDir): install.sh, the K3s binary and the images archive
 * are uploaded by the SSH user into a private folder that user makes with `mktemp -d` (mode
 * 0700: no other user of the board can put or swap a file there, unlike a fixed /tmp path);
 * root then checks that folder (a real folder, not a link, the SSH user's, mode 0700),
 * copies the files into a folder of its own (`mktemp -d` again), checks each copy's sha256
 * against the digest computed here before the upload, and runs only those copies. Both
 * folders are removed when the script ends.
 */
import { shQuote } from './shell';

/** Where the SSH user's staging folders are made (`mktemp -d <prefix>XXXXXXXXXX`). */
export const AIRGAP_STAGING_PREFIX = '/tmp/triton-jetson-airgap.';
/** Root's own folder for the checked copies. */
const ROOT_COPY_TEMPLATE = '/tmp/triton-jetson-k3s.XXXXXXXXXX';

/** The files of an air-gap folder, by local path, with their sha256 digests (computed while read). */
export interface AirGapFiles {
  readonly installScript: string;
  readonly binary: string;
  readonly images?: string;
  readonly installScriptSha256: string;
  readonly binarySha256: string;
  readonly imagesSha256?: string;
}

/** The SSH user's staging folder on one board, as MAKE_STAGING_COMMAND reported it. */
export interface AirGapStaging {
  readonly dir: string;
  /** Owner the folder and the uploads must have: the SSH user's uid. */
  readonly uid: number;
}

/** What dry runs and `plan --offline` show in place of the folder made at run time. */
export const PLANNED_STAGING: AirGapStaging = { dir: `${AIRGAP_STAGING_PREFIX}XXXXXXXXXX`, uid: -1 };

/** Run as the SSH user before the uploads: makes the private folder, prints "<uid> <folder>". */
export const MAKE_STAGING_COMMAND = `umask 077 && d=$(mktemp -d ${AIRGAP_STAGING_PREFIX}XXXXXXXXXX) && printf '%s %s\\n' "$(id -u)" "$d"`;

/** The folder MAKE_STAGING_COMMAND printed (a board's answer: anything else is refused), or undefined. */
export function parseStaging(stdout: string): AirGapStaging | undefined {
  const match = /^(\d{1,10}) (\/tmp\/triton-jetson-airgap\.[A-Za-z0-9]{6,32})\n?$/.exec(stdout);
  return match ? { uid: Number(match[1]), dir: match[2] } : undefined;
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** One file uploaded into the staging folder. */
export interface AirGapUpload {
  readonly local: string;
  /** Where it goes, as shown (in the folder PLANNED_STAGING stands for). */
  readonly remote: string;
  /** Its name inside the staging folder. */
  readonly name: string;
  readonly kind: 'K3s installer' | 'K3s binary' | 'K3s images';
  readonly sha256: string;
}

/** What is uploaded, by name inside the staging folder, with each file's kind and digest. */
export function airGapUploads(files: AirGapFiles): AirGapUpload[] {
  const upload = (local: string, name: string, kind: AirGapUpload['kind'], sha256: string) => ({ local, remote: `${PLANNED_STAGING.dir}/${name}`, name, kind, sha256 });
  const uploads = [upload(files.installScript, 'install.sh', 'K3s installer', files.installScriptSha256), upload(files.binary, 'k3s', 'K3s binary', files.binarySha256)];
  if (files.images && files.imagesSha256) uploads.push(upload(files.images, basename(files.images), 'K3s images', files.imagesSha256));
  return uploads;
}

/**
 * Root script lines that take the uploads from `staging`, check them, and install K3s from
 * root's own copies: `installArgv` is the quoted installer argv.
 */
export function airGapInstallLines(files: AirGapFiles, staging: AirGapStaging, installArgv: string): string[] {
  const uploads = airGapUploads(files);
  const shownUid = staging.uid < 0 ? "'<uid of the SSH user>'" : String(staging.uid);
  const checks = uploads.map((u) => `take ${shQuote(u.name)} ${u.sha256}`);
  const lines = [
    `staging=${shQuote(staging.dir)}`,
    `staging_uid=${shownUid}`,
    `r=$(mktemp -d ${ROOT_COPY_TEMPLATE})`,
    'trap \'rm -rf "$r" "$staging"\' EXIT',
    // Made by the SSH user with mktemp -d: a folder (not a link) of theirs that only they can write.
    'if [ ! -d "$staging" ] || [ -L "$staging" ] || [ "$(stat -c %u:%a "$staging")" != "$staging_uid:700" ]; then',
    '  echo "air-gap: $staging is not the private folder the upload made (owner:mode $(stat -c %u:%a "$staging" 2>/dev/null)); nothing was installed" >&2; exit 1',
    'fi',
    // Each upload: the SSH user's regular file, copied to root's folder, then checked there.
    'take() {',
    '  if [ ! -f "$staging/$1" ] || [ -L "$staging/$1" ] || [ "$(stat -c %u "$staging/$1")" != "$staging_uid" ]; then',
    '    echo "air-gap: $staging/$1 is not the uploaded file; nothing was installed" >&2; exit 1',
    '  fi',
    '  cat -- "$staging/$1" > "$r/$1"',
    '  sum=$(sha256sum < "$r/$1"); sum=${sum%% *}',
    '  if [ "$sum" != "$2" ]; then',
    '    echo "air-gap: $1 on the board (sha256 $sum) is not the file uploaded (sha256 $2); nothing was installed" >&2; exit 1',
    '  fi',
    '}',
    ...checks,
    'install -m 755 "$r/k3s" /usr/local/bin/k3s',
  ];
  if (files.images) {
    lines.push('mkdir -p /var/lib/rancher/k3s/agent/images', `cp "$r"/${shQuote(basename(files.images))} /var/lib/rancher/k3s/agent/images/`);
  }
  lines.push(`sh "$r/install.sh" ${installArgv}`);
  return lines;
}

/**
 * Picks the air-gap files from a folder listing: install.sh, the arm64 binary
 * (k3s-arm64 or k3s) and optionally the images tarball.
 */
export function pickAirGapFiles(dir: string, names: readonly string[]): Pick<AirGapFiles, 'installScript' | 'binary' | 'images'> {
  const join = (name: string) => `${dir.replace(/\/+$/, '')}/${name}`;
  const installScript = names.includes('install.sh') ? join('install.sh') : undefined;
  const binaryName = ['k3s-arm64', 'k3s'].find((n) => names.includes(n));
  const imagesName = names.find((n) => /^k3s-airgap-images-arm64\.tar(\.gz|\.zst)?$/.test(n));
  const missing = [
    installScript ? undefined : 'install.sh (from https://get.k3s.io)',
    binaryName ? undefined : 'k3s-arm64 (the K3s release binary for arm64)',
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) {
    throw new Error(`k3s.airGapDir ${dir}: missing ${missing.join(' and ')}; download them from the K3s release page into that folder`);
  }
  return { installScript: installScript!, binary: join(binaryName!), images: imagesName ? join(imagesName) : undefined };
}
