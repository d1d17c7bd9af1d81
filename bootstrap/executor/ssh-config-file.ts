/**
 * The OpenSSH client config (ssh.configFile, ~/.ssh/config) as bootstrap reads it: each
 * file read bounded and only when it is the user's or root's and not writable by others
 * (OpenSSH's own rule for its config), and `Include` followed the way ssh(1) does at the top
 * level of a file: paths relative to ~/.ssh, `~` expanded, wildcards in the file name
 * expanded in lexical order, at most 16 levels deep (OpenSSH's READCONF_MAX_DEPTH). An
 * `Include` inside a Host or Match block (a conditional include) is refused with the fix:
 * honouring it only partly would reach a board at the wrong address.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import type { InventoryConfig } from '../../lib/config/inventory-schema';
import { LocalFileError, printablePath, readLocalText } from '../../lib/local-file';
import { TargetResolver, expandHome } from '../plan/targets';

/** Deepest chain of Include (OpenSSH's READCONF_MAX_DEPTH). */
export const MAX_INCLUDE_DEPTH = 16;
/** Most files read for one config, Includes counted. */
export const MAX_INCLUDED_FILES = 64;
/** Most bytes read for one config, Includes counted. */
export const MAX_SSH_CONFIG_TOTAL_BYTES = 1024 * 1024;

type Line = SSHConfig[number];
type Value = string | { val: string }[];

/** What loading the config found: the parsed config (Includes spliced in), and the files read. */
export interface LoadedSshConfig {
  readonly config: SSHConfig;
  readonly files: readonly string[];
}

/** The arguments of a directive: ssh-config gives one argument (quotes removed) as a string, several as a list. */
function words(value: Value): string[] {
  return typeof value === 'string' ? [value] : value.map((v) => v.val);
}

function isInclude(line: Line): boolean {
  return line.type === SSHConfig.DIRECTIVE && line.param.toLowerCase() === 'include';
}

/** A glob of `*`, `?` and `[...]` as a RegExp (for one path component). */
function globPattern(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[' && pattern.indexOf(']', i + 1) > i + 1) {
      const end = pattern.indexOf(']', i + 1);
      source += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

class Loader {
  readonly files: string[] = [];
  private bytes = 0;

  constructor(private readonly top: string, private readonly home: string) {}

  fail(file: string, problem: string): LocalFileError {
    return new LocalFileError('SSH config', file, problem);
  }

  /** The files one Include word names, in lexical order (none when a wildcard matches nothing, as in ssh). */
  private expand(word: string, from: string): string[] {
    if (/^~[^/]/.test(word)) {
      throw this.fail(from, `Include "${printablePath(word)}" names another user's home folder, which triton-jetson does not follow; write the path out`);
    }
    const home = this.home;
    const path = word === '~' ? home : word.startsWith('~/') ? join(home, word.slice(2)) : isAbsolute(word) ? word : join(home, '.ssh', word);
    const name = basename(path);
    if (/[*?[]/.test(dirname(path))) {
      throw this.fail(from, `Include "${printablePath(word)}" has a wildcard in a folder name; triton-jetson follows wildcards in the file name only (e.g. Include config.d/*)`);
    }
    if (!/[*?[]/.test(name)) return [path];
    let entries: string[];
    try {
      entries = readdirSync(dirname(path));
    } catch {
      return [];
    }
    const pattern = globPattern(name);
    return entries.filter((e) => pattern.test(e) && (name.startsWith('.') || !e.startsWith('.'))).sort().map((e) => join(dirname(path), e));
  }

  /** Reads and parses `file`, splicing in what its top-level Includes name. */
  load(file: string, depth: number): Line[] | undefined {
    if (this.files.length >= MAX_INCLUDED_FILES) {
      throw this.fail(this.top, `Include names more than ${MAX_INCLUDED_FILES} files in all; include fewer`);
    }
    const text = readLocalText(file, 'SSH config', { access: 'trusted' });
    if (text === undefined) return undefined;
    this.files.push(file);
    this.bytes += Buffer.byteLength(text);
    if (this.bytes > MAX_SSH_CONFIG_TOTAL_BYTES) {
      throw this.fail(this.top, `with its Includes, more than ${MAX_SSH_CONFIG_TOTAL_BYTES / 1024 / 1024} MB of config; an OpenSSH config is a few KB`);
    }
    let parsed: SSHConfig;
    try {
      parsed = SSHConfig.parse(text);
    } catch (err) {
      throw this.fail(file, `cannot be parsed (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); fix the line ssh itself would refuse`);
    }
    const out: Line[] = [];
    for (const line of parsed) {
      if ('config' in line) {
        const nested = (line.config as Line[]).find(isInclude);
        if (nested) {
          throw this.fail(file, `"Include ${printablePath(words((nested as { value: Value }).value).join(' '))}" inside the "${line.param} ${printablePath(words(line.value as Value).join(' '))}" block is a conditional include, which triton-jetson does not follow; move the Include to the top of the file (before any Host line), or set the nodes' user, port, identityFile and bastion in the cluster description`);
        }
        out.push(line);
        continue;
      }
      if (!isInclude(line)) {
        out.push(line);
        continue;
      }
      if (depth >= MAX_INCLUDE_DEPTH) {
        throw this.fail(file, `Include nested more than ${MAX_INCLUDE_DEPTH} levels deep (a file that includes itself?); fix the Include chain`);
      }
      for (const word of words((line as { value: Value }).value)) {
        for (const included of this.expand(word, file)) out.push(...(this.load(included, depth + 1) ?? []));
      }
    }
    return out;
  }
}

/** The config at `file` with its Includes, or undefined when the file does not exist. */
export function loadSshConfig(file: string, home: string): LoadedSshConfig | undefined {
  const loader = new Loader(file, home);
  const lines = loader.load(file, 0);
  if (lines === undefined) return undefined;
  const config = SSHConfig.parse('');
  config.push(...lines);
  return { config, files: loader.files };
}

/** The resolver of SSH targets for a run: ssh.configFile loaded as above. */
export function targetResolver(config: InventoryConfig, home: string, localUser: string): TargetResolver {
  const file = expandHome(config.ssh.configFile, home);
  const loaded = loadSshConfig(file, home);
  return new TargetResolver(config, { sshConfig: loaded?.config, sshConfigFile: file, homeDir: home, localUser });
}
