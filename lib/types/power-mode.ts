/**
 * A Jetson board's power mode as the bootstrapper applies it (cluster.yaml `nodes[].powerMode`
 * and `hostPrep.powerModes`); docs/profiles.md lists each board's mode numbers and sources.
 */

/** An nvpmodel mode and whether jetson_clocks pins the clocks; at least one of the two. */
export interface PowerMode {
  /**
   * nvpmodel mode number (0 = MAXN on a Jetson Nano, 1 = 5W), checked against the board's
   * own /etc/nvpmodel.conf.
   * @default - left as it is
   */
  nvpmodel?: number;
  /**
   * Pin the clocks at the mode's maximum with jetson_clocks, now and at every boot; false undoes it.
   * @default - left as it is
   */
  jetsonClocks?: boolean;
}

/** Power modes per board profile, e.g. `{ jetpack4: { nvpmodel: 0 } }`. */
export interface ProfilePowerModes {
  /**
   * Boards on JetPack 4 (Nano, TX1/TX2).
   * @default - left as it is
   */
  jetpack4?: PowerMode;
  /**
   * Boards on JetPack 5 (Xavier, Orin).
   * @default - left as it is
   */
  jetpack5?: PowerMode;
  /**
   * Boards on JetPack 6 (Orin).
   * @default - left as it is
   */
  jetpack6?: PowerMode;
}
