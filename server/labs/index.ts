/** Labs on disk: listing, loading and rendering. */
export { FileLabCatalog, type ILabCatalog, type LabEntry } from './catalog.ts';
export { createLabRenderer } from './render.ts';
