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

/** An IPv4 address or a DNS hostname (e.g. "10.0.0.30" or "nas.local"). */
export const hostOrIp = z
  .string()
  .refine((v) => isIPv4(v) || (!/^[\d.]+$/.test(v) && isHostname(v)), {
    message: 'must be an IPv4 address (e.g. "10.0.0.30") or a hostname (e.g. "nas.local")',
  });

/** An absolute POSIX path. */
export const absolutePath = z
  .string()
  .regex(/^\/[^\0]*$/, 'must be an absolute path, e.g. "/var/nfs/general"');

/** A Kubernetes quantity such as "10Gi", "500m" or "1". */
export const quantity = z
  .string()
  .regex(QUANTITY, 'must be a Kubernetes quantity such as "10Gi", "512Mi" or "500m"');

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

/** A Kubernetes label key (optional DNS prefix + "/" + name). */
export const labelKey = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    'must be a label key such as "triton-jetson.dev/jetson" or "kubernetes.io/arch"',
  );

/** A Kubernetes label value (≤ 63 characters). */
export const labelValue = z
  .string()
  .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, 'must be a label value: ≤ 63 letters, digits, "-", "_" or "."');

/** An http(s) URL (no spaces: the seeding script and installers split on them). */
export const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'must be an http:// or https:// URL without spaces');

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
  return undefined;
}

/** An absolute folder an NFS server can export: no whitespace, quotes, backslashes, control characters or "..". */
export const nfsExportPath = z.string().superRefine((value, ctx) => {
  const problem = nfsExportPathProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
