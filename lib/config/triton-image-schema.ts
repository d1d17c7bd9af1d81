/**
 * The Triton release of each profile's image (`triton.tritonVersions`) and the model that
 * decides a Triton pod's readiness (`triton.readinessModel`); lib/triton-images.ts uses them.
 */
import { z } from 'zod';
import { modelName } from './models-schema';

/** A Triton release such as "2.19.0" (not the NGC container's "22.02"). */
export const tritonRelease = z
  // YAML reads an unquoted 2.19 as a number.
  .string({ error: 'must be a Triton release in quotes such as "2.19.0" (YAML reads 2.19 unquoted as a number)' })
  .regex(/^\d{1,3}\.\d{1,3}\.\d{1,3}$/, 'must be a Triton release such as "2.19.0" (NGC 22.02 is Triton 2.19.0)');

/**
 * Per profile, the Triton release in its image, for an image whose reference does not say it
 * (the tutorial's image, our recipe's tags and NGC's `-py3-igpu` tags do).
 */
export const tritonVersionsSchema = z
  .object({ jetpack4: tritonRelease.optional(), jetpack5: tritonRelease.optional(), jetpack6: tritonRelease.optional() })
  .strict()
  .prefault({});

/** The model whose readiness is the pod's (default: the first the stack seeds). */
export const readinessModelSchema = modelName.optional();
