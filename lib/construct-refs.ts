/**
 * Constructs take each other as props (a ModelStore, a ModelSeedJob, a TritonDaemonSet...)
 * rather than names: these checks give a wrong reference the same one-line error as any other
 * invalid prop (`<Construct>.props.<field>: ...`), before the construct joins the tree.
 */
import { ClusterConfigError } from './config/config-error';

/** Throws unless `value` is undefined or an instance of `type`. */
export function checkConstructRef(construct: string, field: string, value: unknown, type: abstract new (...args: never[]) => unknown): void {
  if (value !== undefined && !(value instanceof type)) {
    throw propsError(construct, `${field}: must be a ${type.name} of this library (got ${describe(value)})`);
  }
}

/** The error of an invalid construct prop, worded like parseConstructProps' errors. */
export function propsError(construct: string, issue: string): ClusterConfigError {
  return new ClusterConfigError(`${construct} props`, [`${construct}.props.${issue}`], `invalid ${construct} props`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}
