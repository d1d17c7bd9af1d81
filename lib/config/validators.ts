/**
 * Reusable zod validators for the cluster description. Each message says what is
 * expected, so the error printed for a field doubles as the fix.
 */
import { z } from 'zod';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// Kubernetes resource.Quantity: a decimal number with an optional binary/decimal suffix.
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[mkMGTPE]|[eE][+-]?\d+)?$/;

/** An object name such as a Service or PVC name (RFC 1123 label, ≤ 63 characters). */
export const dnsLabel = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(DNS1123_LABEL, 'must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. "models-pvc")');

/** A name such as a StorageClass or RuntimeClass name (RFC 1123 subdomain, ≤ 253 characters). */
export const dnsSubdomain = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(DNS1123_SUBDOMAIN, 'must be a DNS-1123 subdomain: lower-case letters, digits, "-" and ".", e.g. "nfs-client"');

export function isIPv4(value: string): boolean {
  return IPV4.test(value);
}

export function isHostname(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value.toLowerCase());
}

/**
 * True when a name's last label is a number (decimal, or hex as "0x…"): inet_aton (behind
 * getaddrinfo) and WHATWG URL parsing read such a name as an IPv4 address ("0x0a.0.0.1" is
 * 10.0.0.1, "0xa000001" too) or refuse it, never as a hostname (RFC 1123 2.1; the URL
 * Standard's "ends in a number").
 */
export function endsInNumber(value: string): boolean {
  const last = value.replace(/\.$/, '').split('.').pop() ?? '';
  return /^\d+$/.test(last) || /^0x[0-9a-f]*$/i.test(last);
}

/** An IPv4 address or a DNS hostname (e.g. "10.0.0.30" or "nas.local"). */
export const hostOrIp = z
  .string()
  .superRefine((v, ctx) => {
    if (isIPv4(v)) return;
    if (!/^[\d.]+$/.test(v) && isHostname(v) && endsInNumber(v)) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(v)} ends in a number, so resolvers and URL parsers read it as an IPv4 address ("0x0a.0.0.1" is 10.0.0.1) or refuse it; write an address as four decimal numbers (e.g. "10.0.0.30"), or give a hostname whose last label is not a number`,
      });
    } else if (/^[\d.]+$/.test(v) || !isHostname(v)) {
      ctx.addIssue({ code: 'custom', message: 'must be an IPv4 address (e.g. "10.0.0.30") or a hostname (e.g. "nas.local")' });
    }
  });

/** An absolute POSIX path. */
export const absolutePath = z
  .string()
  .regex(/^\/[^\0]*$/, 'must be an absolute path, e.g. "/var/nfs/general"');

/** A volume subPath: relative, inside the volume (Kubernetes refuses "/x" and ".." elements). */
export const volumeSubPath = z
  .string()
  .min(1)
  .refine((v) => !v.startsWith('/') && !v.split('/').includes('..') && !/[\0\n]/.test(v), 'must be a relative path inside the volume, without ".." (e.g. "repository")');

/** Longest quantity accepted (Kubernetes' own are a few characters; this bounds the arithmetic). */
const MAX_QUANTITY_LENGTH = 64;
/** Largest decimal exponent accepted ("1e30"): far beyond any real size, small enough to compute exactly. */
const MAX_QUANTITY_EXPONENT = 30;

const BINARY_SUFFIX: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_SUFFIX: Record<string, number> = { m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** The exact value of a Kubernetes quantity, as the fraction numerator / denominator. */
export interface QuantityValue {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/**
 * Parses a Kubernetes quantity ("10Gi", "1.5", "500m", "1e3") to its exact value, or
 * returns undefined when it is not one. Exact (bigint fractions), so "1024Mi" equals "1Gi"
 * and "0.1" equals "100m".
 */
export function parseQuantity(text: string): QuantityValue | undefined {
  if (text.length > MAX_QUANTITY_LENGTH) return undefined;
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const mantissa = match[1];
  const suffix = match[3] ?? '';
  const [whole, fraction = ''] = mantissa.split('.');
  let numerator = BigInt(`${whole || '0'}${fraction}`);
  let denominator = 10n ** BigInt(fraction.length);
  let exponent: number;
  if (suffix in BINARY_SUFFIX) {
    numerator *= 1024n ** BigInt(BINARY_SUFFIX[suffix]);
    exponent = 0;
  } else if (suffix in DECIMAL_SUFFIX) {
    exponent = DECIMAL_SUFFIX[suffix];
  } else {
    exponent = Number(suffix.slice(1));
    if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > MAX_QUANTITY_EXPONENT) return undefined;
  }
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator *= 10n ** BigInt(-exponent);
  return { numerator, denominator };
}

/** -1, 0 or 1 as quantity `a` is less than, equal to or more than `b` (both valid quantities). */
export function compareQuantities(a: string, b: string): -1 | 0 | 1 {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (!x || !y) throw new Error(`not a Kubernetes quantity: ${JSON.stringify(x ? b : a)}`);
  const left = x.numerator * y.denominator;
  const right = y.numerator * x.denominator;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** A Kubernetes quantity such as "10Gi", "500m" or "1". */
export const quantity = z
  .string()
  .refine((v) => parseQuantity(v) !== undefined, 'must be a Kubernetes quantity such as "10Gi", "512Mi" or "500m"');

/** A quantity above zero (a size or a limit of 0 makes no sense). */
export const positiveQuantity = quantity.refine(
  (v) => (parseQuantity(v)?.numerator ?? 1n) > 0n,
  'must be more than 0, e.g. "10Gi"',
);

/** A NodePort in the default service-node-port-range. */
export const nodePort = z
  .number()
  .int('must be a whole number')
  .min(30000, 'must be within the NodePort range 30000-32767')
  .max(32767, 'must be within the NodePort range 30000-32767');

/** A TCP port. */
export const tcpPort = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be a TCP port between 1 and 65535')
  .max(65535, 'must be a TCP port between 1 and 65535');

/** A container image reference (registry/repository[:tag][@digest]). */
export const imageRef = z
  .string()
  .regex(
    /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
    'must be an image reference such as "registry.example.com/team/triton-jetson:2.19.0"',
  );

/**
 * A Kubernetes label key (optional DNS prefix + "/" + name): the name at most 63
 * characters, the prefix a DNS-1123 subdomain of at most 253 (apimachinery
 * pkg/util/validation/validation.go, IsQualifiedName).
 */
export const labelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    'must be a label key such as "triton-jetson.dev/jetson" or "kubernetes.io/arch"',
  )
  .refine((key) => !key.includes('/') || key.indexOf('/') <= 253,
    'must be a label key whose prefix (before "/") has at most 253 characters, such as "triton-jetson.dev/jetson"');

/**
 * Labels the kubelet refuses in `--node-labels` (K3s' `--node-label`): keys in the kubernetes.io
 * or k8s.io namespaces other than the few it may set itself; a node given one never starts its
 * kubelet ("unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels").
 * kubernetes/kubernetes cmd/kubelet/app/options/options.go (ValidateKubeletFlags,
 * isKubernetesLabel) and staging/src/k8s.io/kubelet/pkg/apis/well_known_labels.go (IsKubeletLabel).
 */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type', 'node.kubernetes.io/instance-type', 'kubernetes.io/os', 'kubernetes.io/arch',
  'beta.kubernetes.io/os', 'beta.kubernetes.io/arch',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

/** True when the kubelet accepts `key` as a --node-labels key (see above). */
export function kubeletAcceptsLabel(key: string): boolean {
  const slash = key.indexOf('/');
  const namespace = slash < 0 ? '' : key.slice(0, slash);
  const inNamespace = (ns: string) => namespace === ns || namespace.endsWith(`.${ns}`);
  if (!inNamespace('kubernetes.io') && !inNamespace('k8s.io')) return true;
  return KUBELET_LABELS.has(key) || KUBELET_LABEL_NAMESPACES.some(inNamespace);
}

/** A label key a node may be given at registration: a label key the kubelet accepts. */
export const nodeLabelKey = labelKey.refine(kubeletAcceptsLabel,
  'is in the kubernetes.io/k8s.io namespaces, which the kubelet refuses in --node-labels (it would not start); use a prefix of your own, e.g. "example.com/zone", or one under node.kubernetes.io/');

/**
 * A Linux user or group id as the API server accepts it in a securityContext: 0 to
 * 2147483647 (apimachinery pkg/util/validation/validation.go, IsValidUserID: math.MaxInt32).
 */
export const linuxId = z
  .number()
  .int('must be a whole uid')
  .min(0, 'must be a uid ≥ 0')
  .max(2147483647, "must be at most 2147483647 (the API server's largest user id)");

/** A Kubernetes label value (≤ 63 characters). */
export const labelValue = z
  .string()
  .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, 'must be a label value: ≤ 63 letters, digits, "-", "_" or "."');

/** True when the URL's authority carries "user[:password]@" (credentials). */
export function hasUserInfo(url: string): boolean {
  const afterScheme = url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  const authority = afterScheme.split(/[/?#]/, 1)[0];
  return authority.includes('@');
}

/**
 * An http(s) URL (no spaces: the seeding script and installers split on them) without
 * credentials: the cluster description ends up in manifests, logs and version control.
 */
export const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'must be an http:// or https:// URL without spaces')
  .refine((v) => !hasUserInfo(v), 'must not hold a user name or password ("user:password@"); secrets do not belong in the cluster description, use a credential-free mirror URL');

/** A lower-case hex sha256 digest. */
export const sha256 = z
  .string()
  .regex(/^[a-f0-9]{64}$/, 'must be 64 lower-case hex digits, as printed by sha256sum');

// --- NFS export path (H2, issue 10.2): what an /etc/exports line can hold, so the value
// is data wherever it goes (exports file, provisioner env, the NFS server's root script).

/** Why `value` cannot be an NFS export folder, or undefined when it can. */
export function nfsExportPathProblem(value: string): string | undefined {
  if (!value.startsWith('/')) return 'must be an absolute path such as "/var/nfs/general"';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'must not contain control characters such as a newline or tab; use a plain folder such as "/var/nfs/general"';
  if (/\s/.test(value)) return 'must not contain spaces: /etc/exports splits on them; rename the folder, e.g. "/var/nfs/general"';
  if (/['"`\\]/.test(value)) return 'must not contain quotes, backquotes or backslashes; use a plain folder such as "/var/nfs/general"';
  if (value.split('/').includes('..')) return 'must not contain ".." segments; give the folder itself, e.g. "/var/nfs/general"';
  const system = systemFolderOf(value);
  if (system?.kind === 'tree') {
    return `is a system folder (${system.folder} and everything under it): the provisioner would create a folder per claim there; ` +
      'give a folder of its own such as "/var/nfs/general" or "/srv/nfs/models"';
  }
  return undefined;
}

// --- What an NFS export must not be (issue 20.13). Two kinds: system trees, whose every
// folder belongs to the operating system (or, for /tmp, to every local user, who could
// plant a symbolic link there first); and parents, the usual homes of export folders
// (/var/nfs/general, /srv/nfs, /home/alice/nfs, /mnt/pool), never exported whole.

/** Trees refused for nfs.path whoever runs the NFS server. */
export const SYSTEM_FOLDER_TREES: readonly string[] = [
  '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/lost+found', '/proc', '/root', '/run', '/sbin', '/snap', '/sys',
  '/tmp', '/usr', '/var/backups', '/var/cache', '/var/lib', '/var/lock', '/var/log', '/var/mail', '/var/run', '/var/spool', '/var/tmp',
];

/** Folders refused themselves when the project's managed NFS server would export them ("/home/*": a user's home). */
export const EXPORT_PARENT_FOLDERS: readonly string[] = ['/', '/home', '/home/*', '/media', '/mnt', '/opt', '/srv', '/var'];

/** `/a//b/./c/` → `/a/b/c`: the folder a path names, as compared with the lists above. */
export function normalizeFolder(path: string): string {
  return `/${path.split('/').filter((s) => s !== '' && s !== '.').join('/')}`;
}

/** Which of the lists above `path` falls in, with the folder that matched. */
export function systemFolderOf(path: string): { readonly kind: 'tree' | 'parent'; readonly folder: string } | undefined {
  const folder = normalizeFolder(path);
  const tree = SYSTEM_FOLDER_TREES.find((t) => folder === t || folder.startsWith(`${t}/`));
  if (tree !== undefined) return { kind: 'tree', folder: tree };
  const parent = EXPORT_PARENT_FOLDERS.some((p) => (p.endsWith('/*') ? folder.startsWith(p.slice(0, -1)) && !folder.slice(p.length - 1).includes('/') : folder === p));
  return parent ? { kind: 'parent', folder } : undefined;
}

/**
 * Why the managed NFS server (nfsServer.managed: true) must not export `path`, or undefined:
 * beyond nfsExportPathProblem, "/" and the parents of export folders, which it would export
 * whole, read-write and with no_root_squash, to every node.
 */
export function managedExportPathProblem(path: string): string | undefined {
  const system = systemFolderOf(path);
  if (system?.kind !== 'parent') return undefined;
  return `with nfsServer.managed: true this would export the whole of "${system.folder}" read-write to the cluster; ` +
    `give a folder of its own below it, such as "${system.folder === '/' ? '/var/nfs/general' : `${system.folder}/nfs`}"`;
}

/** An absolute folder an NFS server can export: no whitespace, quotes, backslashes, control characters or "..". */
export const nfsExportPath = z.string().superRefine((value, ctx) => {
  const problem = nfsExportPathProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
