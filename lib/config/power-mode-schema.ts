/**
 * A board's power mode, as the bootstrapper applies it: the nvpmodel mode and whether
 * jetson_clocks pins the clocks. Set per node (`nodes[].powerMode`) or per board profile
 * (`hostPrep.powerModes.<profile>`); a node's own fields win. docs/profiles.md lists each
 * board's mode numbers and their sources.
 */
import { z } from 'zod';
import { BOARD_PROFILE_NAMES, type BoardProfileName } from '../board-profiles';

/** Highest mode number accepted here; the board's own /etc/nvpmodel.conf decides which exist. */
export const MAX_NVPMODEL_MODE = 99;

/** One line for any mode that is not a number in range (a name such as MAXN, a fraction, -1). */
const NVPMODEL_MODE_MESSAGE = `must be a mode number from 0 to ${MAX_NVPMODEL_MODE}, as /etc/nvpmodel.conf lists them `
  + '(e.g. 0 = MAXN on a Jetson Nano; `nvpmodel -q` prints the running one under its name)';

export const powerModeSchema = z
  .object({
    /** nvpmodel mode number (e.g. 0 = MAXN on a Jetson Nano, 1 = 5W); checked against the board's /etc/nvpmodel.conf. @default - left as it is */
    nvpmodel: z.number({ error: NVPMODEL_MODE_MESSAGE }).int(NVPMODEL_MODE_MESSAGE).min(0, NVPMODEL_MODE_MESSAGE).max(MAX_NVPMODEL_MODE, NVPMODEL_MODE_MESSAGE).optional(),
    /** Pin the clocks at the mode's maximum with jetson_clocks, now and at every boot; false undoes it. @default - left as it is */
    jetsonClocks: z.boolean().optional(),
  })
  .strict()
  .refine((p) => p.nvpmodel !== undefined || p.jetsonClocks !== undefined, 'must set nvpmodel (a mode number) or jetsonClocks (true or false)');

/** Power modes per board profile, e.g. `{ jetpack4: { nvpmodel: 0 } }`. */
export const profilePowerModesSchema = z
  .object(Object.fromEntries(BOARD_PROFILE_NAMES.map((name) => [name, powerModeSchema.optional()])) as Record<BoardProfileName, z.ZodOptional<typeof powerModeSchema>>)
  .strict();

export type PowerModeConfig = z.output<typeof powerModeSchema>;
export type ProfilePowerModes = z.output<typeof profilePowerModesSchema>;
