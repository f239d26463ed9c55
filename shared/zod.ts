/**
 * The parts of zod segwatch uses, as named exports: `import * as z from '../zod'` reads like
 * `import { z } from 'zod'`, but esbuild can then leave out what is not used. zod's own `z`
 * namespace carries `z.locales`, every locale's messages (about 270 KB of each 1.1 MB bundle,
 * ~15 ms of every cold start); English stays, as zod configures it by default.
 */
export { any, array, boolean, enum, iso, literal, number, object, record, string, tuple, union } from 'zod';
export type { infer, input } from 'zod';
