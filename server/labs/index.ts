/** Labs on disk: listing, loading (docs/lab-format.md), rendering and the checker schemas labs are validated with. */
export { FileLabCatalog, type FileLabCatalogOptions, type ILabCatalog, type LabEntry, type LearnerContext } from './catalog.ts';
export { createLintRegistry, type ICheckerSchemas } from './checker-registry.ts';
export { labStamp, loadLabFolder, type LoadLabOptions } from './load-lab.ts';
export { createLabRenderer, renderLabView, renderUnavailableView, type RenderVariables } from './render.ts';
export { LabWatcher } from './lab-watcher.ts';
