/** Accounts, credentials, registry passwords and sandbox time. */
export { AccountService, DEFAULT_LEARNER_ID, LEARNER_ID_PATTERN, type ProvisionedAccount } from './account-service.ts';
export { RegistryTokenService, REGISTRY_TOKEN_TTL_MS, type IssuedRegistryToken } from './registry-auth.ts';
export { SandboxClock } from './clock.ts';
