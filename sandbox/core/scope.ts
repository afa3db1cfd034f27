/**
 * Structural twins of `sandbox/contracts.ts`' Scope and RegistryHost: the pure core cannot import
 * contracts.ts (it references node:http types), and TypeScript's structural typing makes them interchangeable.
 */

/** An account (12 digits) and a region: every ECR/ECS resource lives in exactly one. */
export interface Scope {
  readonly accountId: string;
  readonly region: string;
}

/** Which account/region a registry request is for, read from its Host header. */
export type RegistryHost = { readonly kind: 'ecr'; readonly scope: Scope } | { readonly kind: 'fallback' };

/** Account ids are 12 digits, as on AWS. */
export const ACCOUNT_ID_PATTERN = /^[0-9]{12}$/;
/** Region names as the replication model allows them (`[0-9a-z-]{2,25}`). */
export const REGION_PATTERN = /^[0-9a-z-]{2,25}$/;
