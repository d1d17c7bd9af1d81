/**
 * What a K3s cluster token may look like, so that a token file (k3s.tokenFile) holding
 * anything else — an SSH private key, a kubeconfig, a word such as "set" — is refused
 * before it reaches a board, and a token read from a board is checked the same way.
 *
 * K3s' formats (k3s-io/k3s, pkg/clientaccess/token.go, parseToken; docs.k3s.io/cli/token):
 * - secure: `K10<sha256 of the cluster CA, 64 hex>::<credentials>`, the credentials being
 *   `<username>:<password>` (the server's token file: `K10…::server:<password>`) or a
 *   bootstrap token;
 * - short: the password alone, or a bootstrap token `[a-z0-9]{6}.[a-z0-9]{16}`
 *   (kubeadm's format, which parseToken tries first).
 * K3s itself accepts any characters in a password; this tool accepts the ones a generated
 * token uses (hex, base64, base64url, the K10 separators), on one line.
 */

/** Fewest characters of the secret part (K3s' own generated passwords are 32 hex). */
export const MIN_TOKEN_SECRET_LENGTH = 16;
/** Fewest bits of estimated entropy in the secret part (a random 16-character secret has about 60). */
export const MIN_TOKEN_SECRET_BITS = 48;
/** Longest token accepted. */
export const MAX_TOKEN_LENGTH = 512;

const TOKEN_CHARACTERS = /^[A-Za-z0-9._~+/=:-]+$/;
const BOOTSTRAP_TOKEN = /^[a-z0-9]{6}\.([a-z0-9]{16})$/;
const SECURE_TOKEN = /^K10([0-9a-f]{64})?::(.*)$/s;

/** A K3s token split as parseToken does: the CA hash (secure format) and the secret that authenticates. */
export interface ParsedToken {
  readonly caHash?: string;
  readonly username?: string;
  /** The password, or the secret of a bootstrap token. */
  readonly secret: string;
}

/** Parses a token as K3s does, or returns why it is not one (never quoting it). */
export function parseK3sToken(token: string): ParsedToken | string {
  if (token === '') return 'is empty';
  if (/[\r\n]/.test(token)) return `holds ${token.split(/\r?\n|\r/).length} lines; a token is one line`;
  if (token.length > MAX_TOKEN_LENGTH) return `is ${token.length} characters long; a K3s token is at most ${MAX_TOKEN_LENGTH}`;
  if (!TOKEN_CHARACTERS.test(token)) return 'holds characters a K3s token does not (spaces, quotes, control characters or other symbols); a token is letters, digits and ". _ ~ + / = : -"';
  let credentials = token;
  let caHash: string | undefined;
  if (token.startsWith('K10')) {
    const secure = SECURE_TOKEN.exec(token);
    if (!secure) return 'starts with K10 but is not a K3s secure token (K10<64 hex digits of the CA hash>::<credentials>)';
    caHash = secure[1];
    credentials = secure[2];
    const bootstrap = BOOTSTRAP_TOKEN.exec(credentials);
    if (bootstrap) return { caHash, secret: bootstrap[1] };
    const colon = credentials.indexOf(':');
    if (colon < 0 || colon === credentials.length - 1) return 'is a K10 token without "<username>:<password>" after "::"';
    return { caHash, username: credentials.slice(0, colon), secret: credentials.slice(colon + 1) };
  }
  const bootstrap = BOOTSTRAP_TOKEN.exec(token);
  return { secret: bootstrap ? bootstrap[1] : token };
}

/** Shannon estimate of the bits in `text` (its length times the entropy of its character frequencies). */
export function estimatedBits(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perCharacter = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    perCharacter -= p * Math.log2(p);
  }
  return perCharacter * text.length;
}

/**
 * Why `token` cannot be the cluster token, or undefined when it can: a K3s format, and a
 * secret long and varied enough (a short one would also turn up by chance in the text the
 * run prints, where it is redacted).
 */
export function tokenProblem(token: string): string | undefined {
  const parsed = parseK3sToken(token);
  if (typeof parsed === 'string') return parsed;
  if (parsed.secret.length < MIN_TOKEN_SECRET_LENGTH) {
    return `is too short (${parsed.secret.length} characters of secret, at least ${MIN_TOKEN_SECRET_LENGTH})`;
  }
  if (estimatedBits(parsed.secret) < MIN_TOKEN_SECRET_BITS) {
    return `is too predictable (about ${Math.floor(estimatedBits(parsed.secret))} bits, at least ${MIN_TOKEN_SECRET_BITS}: repeated characters)`;
  }
  return undefined;
}

/** How to make a good token, for messages. */
export const TOKEN_FIX = 'put one line such as the output of `openssl rand -hex 32` in it, or delete it to let bootstrap generate one';
