/** Validation of construct props with the cluster description's rules. */
import { z } from 'zod';
import { ClusterConfigError } from './config-error';
import { describeIssues } from './issues';

/**
 * Validates the props of a construct used directly (not through cluster.yaml) with the
 * same zod pieces as the cluster description. Throws a ClusterConfigError whose issues
 * name `<constructName>.props.<field>`; returns the parsed props (defaults filled in).
 * Every construct calls it first, before `super()`: a refused construct never joins the tree.
 *
 *   const valid = parseConstructProps('ModelSeedJob', modelSeedJobPropsSchema, props);
 */
export function parseConstructProps<S extends z.ZodType>(constructName: string, schema: S, props: unknown): z.output<S> {
  const result = schema.safeParse(props ?? {});
  if (!result.success) {
    throw new ClusterConfigError(
      `${constructName} props`,
      describeIssues(`${constructName}.props`, result.error.issues),
      `invalid ${constructName} props`,
    );
  }
  return result.data;
}
