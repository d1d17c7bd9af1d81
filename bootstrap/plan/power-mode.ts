/**
 * Power modes (pure): what the probe reads of nvpmodel and jetson_clocks, what the
 * description asks for a board (`nodes[].powerMode` over `hostPrep.powerModes.<profile>`),
 * the preflight's verdict, and the idempotent root script that applies it and keeps it
 * across reboots. docs/profiles.md has the sources; in short:
 * - `nvpmodel -m <id>` switches the mode and nvpmodel keeps it (NVIDIA's L4T guide: "The
 *   mode persists across power cycles"; it records it in /var/lib/nvpmodel/status); the
 *   file's `< PM_CONFIG DEFAULT=<id> >` is the mode a board boots in without that record,
 *   so both are set;
 * - jetson_clocks is not persistent: a systemd unit runs it at every boot after
 *   nvpmodel.service (what jetson_stats' jetson_performance service does), and
 *   `jetson_clocks --store` keeps the clocks from before, for `--restore` when it is turned off.
 */
import type { BoardProfileName } from '../../lib/board-profiles';
import type { PowerModeConfig, ProfilePowerModes } from '../../lib/config/power-mode-schema';
import type { PreflightCheck } from './preflight-check';

export const NVPMODEL_CONF = '/etc/nvpmodel.conf';
export const JETSON_CLOCKS_UNIT = 'triton-jetson-clocks.service';
export const JETSON_CLOCKS_UNIT_PATH = `/etc/systemd/system/${JETSON_CLOCKS_UNIT}`;
export const JETSON_CLOCKS_DEFAULTS = '/var/lib/triton-jetson/jetson_clocks.defaults';
/** The apply script's last line when the board reads back what was asked. */
export const POWER_MODE_DONE = 'power-mode-ok';
/** Most modes read from a board's nvpmodel.conf (real ones have fewer than a dozen). */
const MAX_MODES = 64;

/** A mode of the board's nvpmodel.conf. */
export interface NvpMode {
  readonly id: number;
  readonly name: string;
}

/** What the probe read. */
export interface PowerFacts {
  readonly nvpmodel: boolean;
  /** `nvpmodel -q`: the running mode. */
  readonly current?: NvpMode;
  /** `< PM_CONFIG DEFAULT=n >` of /etc/nvpmodel.conf. */
  readonly bootDefault?: number;
  /** `< POWER_MODEL ID=n NAME=x >` lines of /etc/nvpmodel.conf. */
  readonly modes: readonly NvpMode[];
  readonly jetsonClocks: boolean;
  /** State of our jetson_clocks unit (`systemctl is-enabled`), undefined when it is not installed. */
  readonly clocksUnit?: string;
}

/** Probe lines (as root): nvpmodel's answer, the modes and default of its file, jetson_clocks and our unit. */
export const POWER_PROBE = [
  'if command -v nvpmodel >/dev/null 2>&1; then',
  '  echo nvpmodel=yes',
  // "NV Power Mode: MAXN" then the mode number on the next line (a "NV Fan Mode:" line may come first).
  '  nvpmodel -q 2>/dev/null </dev/null | awk \'/NV Power Mode:/ { sub(/.*NV Power Mode: */, ""); name = $0; if ((getline id) > 0) print "nvpmodel_current=" id " " name; exit }\' || true',
  `  if [ -r ${NVPMODEL_CONF} ]; then`,
  '    awk \'/^< *PM_CONFIG / { if (match($0, /DEFAULT=[0-9]+/)) print "nvpmodel_default=" substr($0, RSTART + 8, RLENGTH - 8) }',
  '      /^< *POWER_MODEL / { if (match($0, /ID=[0-9]+/)) { id = substr($0, RSTART + 3, RLENGTH - 3); name = ""',
  `        if (match($0, /NAME=[A-Za-z0-9_]+/)) name = substr($0, RSTART + 5, RLENGTH - 5); print "nvpmodel_mode=" id " " name } }' ${NVPMODEL_CONF}`,
  '  fi',
  'fi',
  'if command -v jetson_clocks >/dev/null 2>&1; then echo jetson_clocks=yes; fi',
  `if [ -f ${JETSON_CLOCKS_UNIT_PATH} ]; then echo "jetson_clocks_unit=$(systemctl is-enabled ${JETSON_CLOCKS_UNIT} 2>/dev/null || true)"; fi`,
].join('\n');

/** "3 MODE_30W" → { id: 3, name: "MODE_30W" }; names are nvpmodel's words (letters, digits, "_"). */
function parseMode(text: string | undefined): NvpMode | undefined {
  const match = /^(\d{1,2}) ([A-Za-z0-9_]{0,40})\s*$/.exec(text ?? '');
  return match ? { id: Number(match[1]), name: match[2] } : undefined;
}

/** Reads the power lines of the probe's `key=value` output (every line, as modes repeat). */
export function parsePowerFacts(lines: readonly string[]): PowerFacts {
  const values = (key: string) => lines.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1).trim());
  const modes: NvpMode[] = [];
  for (const mode of values('nvpmodel_mode').map(parseMode)) {
    if (mode && modes.length < MAX_MODES && !modes.some((m) => m.id === mode.id)) modes.push(mode);
  }
  const bootDefault = values('nvpmodel_default').find((v) => /^\d{1,2}$/.test(v));
  const unit = values('jetson_clocks_unit')[0];
  return {
    nvpmodel: values('nvpmodel')[0] === 'yes',
    current: parseMode(values('nvpmodel_current')[0]),
    bootDefault: bootDefault === undefined ? undefined : Number(bootDefault),
    modes,
    jetsonClocks: values('jetson_clocks')[0] === 'yes',
    clocksUnit: unit === undefined ? undefined : (/^[a-z-]{1,20}$/.test(unit) ? unit : 'unknown'),
  };
}

/** The power mode asked for one board, and where it comes from. */
export interface DesiredPowerMode extends PowerModeConfig {
  readonly source: string;
}

/** `nodes[].powerMode` field by field over `hostPrep.powerModes.<profile>`; undefined when neither asks anything. */
export function desiredPowerMode(
  node: PowerModeConfig | undefined,
  profile: BoardProfileName | undefined,
  perProfile: ProfilePowerModes | undefined,
): DesiredPowerMode | undefined {
  const fromProfile = profile ? perProfile?.[profile] : undefined;
  const nvpmodel = node?.nvpmodel ?? fromProfile?.nvpmodel;
  const jetsonClocks = node?.jetsonClocks ?? fromProfile?.jetsonClocks;
  if (nvpmodel === undefined && jetsonClocks === undefined) return undefined;
  const sources = [node ? 'nodes[].powerMode' : undefined, fromProfile ? `hostPrep.powerModes.${profile}` : undefined].filter(Boolean);
  return { nvpmodel, jetsonClocks, source: sources.join(' over ') };
}

function label(modes: readonly NvpMode[], id: number | undefined): string {
  if (id === undefined) return 'unknown';
  const name = modes.find((m) => m.id === id)?.name;
  return name ? `${id} (${name})` : String(id);
}

/** The verdict: checks for the summary, and whether the apply step must run. */
export interface PowerModeVerdict {
  readonly checks: readonly PreflightCheck[];
  readonly desired?: DesiredPowerMode;
  /** What the apply step changes, in words; undefined when nothing needs to change. */
  readonly change?: string;
  /** Already right, for the summary. */
  readonly unchanged?: string;
}

export function evaluatePowerMode(facts: PowerFacts | undefined, desired: DesiredPowerMode | undefined): PowerModeVerdict {
  const power = facts ?? { nvpmodel: false, modes: [], jetsonClocks: false };
  const current = power.current?.id;
  if (!desired) {
    if (!power.nvpmodel) return { checks: [] };
    const detail = `${label(power.modes, current)}, boot default ${label(power.modes, power.bootDefault)}; not managed (set nodes[].powerMode or hostPrep.powerModes to choose one)`;
    return { checks: [{ name: 'power-mode', status: 'ok', detail }], unchanged: `power mode ${detail}` };
  }
  const checks: PreflightCheck[] = [];
  const changes: string[] = [];
  const right: string[] = [];
  if (desired.nvpmodel !== undefined) {
    const want = desired.nvpmodel;
    const known = power.modes.map((m) => `${m.id} (${m.name || '?'})`).join(', ');
    if (!power.nvpmodel) {
      checks.push({ name: 'power-mode', status: 'fail', detail: `${desired.source} asks for nvpmodel mode ${want}, but this board has no nvpmodel (JetPack's nvidia-l4t-nvpmodel package); install it or remove the power mode for this board` });
    } else if (power.modes.length === 0) {
      checks.push({ name: 'power-mode', status: 'fail', detail: `${desired.source} asks for nvpmodel mode ${want}, but ${NVPMODEL_CONF} lists no modes to check it against; look at \`nvpmodel -p --verbose\` on the board` });
    } else if (!power.modes.some((m) => m.id === want)) {
      checks.push({ name: 'power-mode', status: 'fail', detail: `${desired.source}: nvpmodel mode ${want} does not exist on this board; its ${NVPMODEL_CONF} has ${known}` });
    } else if (current === want && power.bootDefault === want) {
      checks.push({ name: 'power-mode', status: 'ok', detail: `mode ${label(power.modes, want)}, also the boot default` });
      right.push(`power mode ${label(power.modes, want)} already set and the boot default`);
    } else {
      const what = `mode ${label(power.modes, current)} → ${label(power.modes, want)}${power.bootDefault === want ? '' : `, boot default ${label(power.modes, power.bootDefault)} → ${want}`}`;
      checks.push({ name: 'power-mode', status: 'fix', detail: `will set ${what}` });
      changes.push(`power ${what}`);
    }
  }
  if (desired.jetsonClocks !== undefined) {
    const enabled = power.clocksUnit === 'enabled';
    if (desired.jetsonClocks && !power.jetsonClocks) {
      checks.push({ name: 'jetson-clocks', status: 'fail', detail: `${desired.source} asks for jetson_clocks, but this board has none (JetPack's nvidia-l4t-tools package); install it or set jetsonClocks: false` });
    } else if (desired.jetsonClocks === enabled && (desired.jetsonClocks || power.clocksUnit === undefined)) {
      const detail = desired.jetsonClocks ? `on at every boot (${JETSON_CLOCKS_UNIT})` : 'off (no jetson_clocks unit)';
      checks.push({ name: 'jetson-clocks', status: 'ok', detail });
      right.push(`jetson_clocks ${detail}`);
    } else {
      const detail = desired.jetsonClocks ? `on, now and at every boot (${JETSON_CLOCKS_UNIT})` : `off (${JETSON_CLOCKS_UNIT} removed, clocks restored)`;
      checks.push({ name: 'jetson-clocks', status: 'fix', detail: `will turn jetson_clocks ${detail}` });
      changes.push(`jetson_clocks ${detail}`);
    }
  }
  return {
    checks,
    desired,
    change: changes.length > 0 ? changes.join('; ') : undefined,
    unchanged: right.length > 0 ? right.join('; ') : undefined,
  };
}

/**
 * Root script applying `desired` (idempotent: each part only when needed). nvpmodel's
 * stdin is /dev/null: a mode that needs a reboot asks on stdin, and the script itself
 * arrives on the shell's stdin. Its last line is POWER_MODE_DONE once nvpmodel reports the mode.
 */
export function powerModeScript(desired: DesiredPowerMode): string {
  const lines = ['set -eu', 'current_mode() { nvpmodel -q 2>/dev/null </dev/null | awk \'/NV Power Mode:/ { if ((getline id) > 0) print id; exit }\'; }'];
  const want = desired.nvpmodel;
  if (want !== undefined) {
    lines.push(
      `if [ "$(current_mode)" != ${want} ]; then nvpmodel -m ${want} </dev/null >/dev/null 2>&1 || true; fi`,
      `conf=$(readlink -f ${NVPMODEL_CONF})`,
      `if ! grep -q '^< *PM_CONFIG  *DEFAULT=${want} *>' "$conf"; then`,
      '  [ -e "$conf.triton-jetson.bak" ] || cp -p "$conf" "$conf.triton-jetson.bak"',
      '  tmp=$(mktemp "$conf.XXXXXX")',
      '  cp -p "$conf" "$tmp"',
      `  sed 's/^< *PM_CONFIG  *DEFAULT=[0-9][0-9]* *>/< PM_CONFIG DEFAULT=${want} >/' "$conf" >"$tmp"`,
      '  mv "$tmp" "$conf"',
      `  grep -q '^< PM_CONFIG DEFAULT=${want} >' "$conf" || { echo "${NVPMODEL_CONF} has no PM_CONFIG line to set the boot default in; add '< PM_CONFIG DEFAULT=${want} >' at its end" >&2; exit 1; }`,
      'fi',
    );
  }
  if (desired.jetsonClocks === true) {
    lines.push(
      'jc=$(command -v jetson_clocks)',
      `if [ ! -e ${JETSON_CLOCKS_DEFAULTS} ]; then mkdir -p ${JETSON_CLOCKS_DEFAULTS.slice(0, JETSON_CLOCKS_DEFAULTS.lastIndexOf('/'))} && "$jc" --store ${JETSON_CLOCKS_DEFAULTS} >/dev/null; fi`,
      `unit=$(mktemp /etc/systemd/system/.${JETSON_CLOCKS_UNIT}.XXXXXX)`,
      'cat >"$unit" <<EOF',
      '[Unit]',
      'Description=jetson_clocks at boot (triton-jetson bootstrap)',
      'After=nvpmodel.service',
      '',
      '[Service]',
      'Type=oneshot',
      'ExecStart=$jc',
      'RemainAfterExit=yes',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      'EOF',
      `if cmp -s "$unit" ${JETSON_CLOCKS_UNIT_PATH}; then rm -f "$unit"; else chmod 644 "$unit" && mv "$unit" ${JETSON_CLOCKS_UNIT_PATH} && systemctl daemon-reload; fi`,
      `systemctl enable ${JETSON_CLOCKS_UNIT} >/dev/null 2>&1`,
      // After nvpmodel, which resets the clocks' caps.
      '"$jc" >/dev/null',
    );
  } else if (desired.jetsonClocks === false) {
    lines.push(
      `if [ -e ${JETSON_CLOCKS_UNIT_PATH} ]; then`,
      `  systemctl disable ${JETSON_CLOCKS_UNIT} >/dev/null 2>&1 || true`,
      `  rm -f ${JETSON_CLOCKS_UNIT_PATH}`,
      '  systemctl daemon-reload',
      `  if [ -e ${JETSON_CLOCKS_DEFAULTS} ]; then jetson_clocks --restore ${JETSON_CLOCKS_DEFAULTS} >/dev/null; fi`,
      'fi',
    );
  }
  if (want !== undefined) {
    lines.push(
      'now=$(current_mode)',
      `if [ "$now" != ${want} ]; then echo "nvpmodel still reports mode \${now:-unknown} after \\\`nvpmodel -m ${want}\\\`: this mode may need a reboot (nvpmodel asks for one on a terminal); ${NVPMODEL_CONF} now boots in mode ${want}: reboot the board (sudo reboot) and run bootstrap again" >&2; exit 1; fi`,
    );
  }
  lines.push(`echo ${POWER_MODE_DONE}`);
  return lines.join('\n');
}
