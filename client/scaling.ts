/** image_client.py's pixel scalings (-s). Kept apart from preprocess.ts so the CLI can list them without loading sharp. */
export type Scaling = 'NONE' | 'INCEPTION' | 'VGG';
export const SCALINGS: readonly Scaling[] = ['NONE', 'INCEPTION', 'VGG'];
