/** The sandbox's OCI distribution (Docker Registry v2) API with ECR's behaviour. */
export { createRegistryHandler } from './handler.ts';
export type { RegistryHandlerOptions } from './handler.ts';
export type { RegistryDeps } from './context.ts';
export { createReferrersIndex } from './referrers.ts';
export type { ReferrersIndex } from './referrers.ts';
