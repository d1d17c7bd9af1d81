/**
 * What makes a fake Jetson host (jetson-hosts.ts) look like a particular board beyond its
 * L4T release and Docker: its memory (/proc/meminfo), its clock (a `date` that is off), the
 * NVIDIA container runtime where K3s looks for it, and nvpmodel/jetson_clocks with the
 * board's power modes. Each is an option of JetsonHostOptions; the stubs live beside the
 * others in jetson-host-stubs/ (date, nvidia-container-runtime, nvpmodel, jetson_clocks).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/** A mode of the board's /etc/nvpmodel.conf. */
export interface FakeNvpMode {
  readonly id: number;
  /** nvpmodel's name: letters, digits and "_" (e.g. MAXN, 5W, MODE_30W). */
  readonly name: string;
}

/** The board's power modes, as L4T's nvpmodel keeps them. */
export interface FakeNvpmodel {
  readonly modes: readonly FakeNvpMode[];
  /** `< PM_CONFIG DEFAULT=n >`. */
  readonly bootDefault: number;
  /**
   * The running mode (/var/lib/nvpmodel/status).
   * @default bootDefault (no status file)
   */
  readonly current?: number;
}

/** Jetson Nano (L4T 32.x, NVIDIA's "Power Management for Jetson Nano"): 0 MAXN (10W), 1 5W, default 0. */
export const NANO_NVPMODEL: FakeNvpmodel = { modes: [{ id: 0, name: 'MAXN' }, { id: 1, name: '5W' }], bootDefault: 0 };

/** Board options of a fake host. */
export interface BoardExtrasOptions {
  /**
   * MemTotal of the host's /proc/meminfo, in kB (e.g. 64349016 for an AGX Orin 64GB).
   * @default the machine's /proc/meminfo
   */
  readonly memTotalKb?: number;
  /**
   * Seconds the host's clock is off (negative: behind), as `date` reports it.
   * @default 0 (the real date)
   */
  readonly clockOffsetSeconds?: number;
  /**
   * Whether nvidia-container-runtime is installed (a stand-in in /usr/local/bin, on K3s' PATH).
   * @default true
   */
  readonly nvidiaContainerRuntime?: boolean;
  /**
   * nvpmodel (with /etc/nvpmodel.conf as a link to /etc/nvpmodel/nvpmodel_fake.conf, like
   * L4T's) and jetson_clocks.
   * @default none (neither is installed)
   */
  readonly nvpmodel?: FakeNvpmodel;
}

/** The options, resolved for one host. */
export interface ResolvedBoardExtras {
  readonly memTotalKb?: number;
  readonly clockOffsetSeconds: number;
  readonly nvidiaContainerRuntime: boolean;
  readonly nvpmodel?: FakeNvpmodel;
}

export function resolveBoardExtras(pick: <K extends keyof BoardExtrasOptions>(key: K) => BoardExtrasOptions[K]): ResolvedBoardExtras {
  const memTotalKb = pick('memTotalKb');
  if (memTotalKb !== undefined && (!Number.isInteger(memTotalKb) || memTotalKb < 1)) throw new Error(`startJetsonHosts: memTotalKb must be a positive integer (got ${memTotalKb})`);
  const clockOffsetSeconds = pick('clockOffsetSeconds') ?? 0;
  if (!Number.isInteger(clockOffsetSeconds)) throw new Error(`startJetsonHosts: clockOffsetSeconds must be an integer (got ${clockOffsetSeconds})`);
  const nvpmodel = pick('nvpmodel');
  for (const mode of nvpmodel?.modes ?? []) {
    if (!Number.isInteger(mode.id) || mode.id < 0 || !/^[A-Za-z0-9_]+$/.test(mode.name)) throw new Error(`startJetsonHosts: nvpmodel mode ${JSON.stringify(mode)} must have an integer id and a name of letters, digits and "_"`);
  }
  return { memTotalKb, clockOffsetSeconds, nvidiaContainerRuntime: pick('nvidiaContainerRuntime') ?? true, nvpmodel };
}

/** Writes the host's board files into its folder (before its namespace exists) and returns the stubs to install. */
export async function prepareBoardExtras(hostDir: string, extras: ResolvedBoardExtras): Promise<string[]> {
  const state = path.join(hostDir, 'state');
  const stubs: string[] = [];
  if (extras.memTotalKb !== undefined) {
    // setup-host.sh binds it over /proc/meminfo; the other lines are a board's, scaled.
    const kb = extras.memTotalKb;
    const lines = [`MemTotal:       ${kb} kB`, `MemFree:        ${Math.floor(kb / 2)} kB`, `MemAvailable:   ${Math.floor(kb * 0.7)} kB`, 'Buffers:           20480 kB', `Cached:         ${Math.floor(kb / 5)} kB`, 'SwapTotal:             0 kB', 'SwapFree:              0 kB'];
    await fsp.writeFile(path.join(state, 'meminfo'), `${lines.join('\n')}\n`, { mode: 0o444 });
  }
  if (extras.clockOffsetSeconds !== 0) {
    await fsp.writeFile(path.join(state, 'clock-offset'), `${extras.clockOffsetSeconds}\n`, { mode: 0o644 });
    stubs.push('date');
  }
  if (extras.nvidiaContainerRuntime) stubs.push('nvidia-container-runtime');
  if (extras.nvpmodel) {
    const { modes, bootDefault, current } = extras.nvpmodel;
    const conf = [
      '# nvpmodel configuration of a fake Jetson (test/support/jetson-board-extras.ts)',
      '< PARAM TYPE=FILE NAME=CPU_ONLINE >',
      'CORE_0 /sys/devices/system/cpu/cpu0/online',
      '',
      ...modes.flatMap((m) => [`< POWER_MODEL ID=${m.id} NAME=${m.name} >`, 'CPU_ONLINE CORE_0 1', '']),
      '# mandatory section to configure the default mode',
      `< PM_CONFIG DEFAULT=${bootDefault} >`,
      '',
    ].join('\n');
    await fsp.mkdir(path.join(hostDir, 'etc', 'nvpmodel'), { recursive: true });
    await fsp.writeFile(path.join(hostDir, 'etc', 'nvpmodel', 'nvpmodel_fake.conf'), conf, { mode: 0o644 });
    await fsp.symlink('/etc/nvpmodel/nvpmodel_fake.conf', path.join(hostDir, 'etc', 'nvpmodel.conf'));
    if (current !== undefined) {
      await fsp.mkdir(path.join(hostDir, 'var', 'lib', 'nvpmodel'), { recursive: true });
      await fsp.writeFile(path.join(hostDir, 'var', 'lib', 'nvpmodel', 'status'), `pmode:${String(current).padStart(4, '0')} fmode:quiet\n`);
    }
    stubs.push('nvpmodel', 'jetson_clocks');
  }
  return stubs;
}
