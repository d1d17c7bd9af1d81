/**
 * The model catalog and seeding section of the cluster description.
 * (Placeholder shape; the seeding work fills it in.)
 */
import { z } from 'zod';

export const modelsSchema = z.array(z.object({ name: z.string() }).strict()).default([]);
export const seedingSchema = z.object({}).strict();
