/** The sandbox's HTTP front door: AWS JSON 1.1 dispatch with SigV4, the admin API, the server. */
export { createAwsJsonHandler, sendError, MAX_API_BODY_BYTES, type AwsJsonService, type CallContext, type CredentialLookup, type Operation } from './aws-json.ts';
export { createAdminHandler, type AdminDeps } from './admin-api.ts';
export { createSandboxServer, type Routes } from './server.ts';
export { verifySigV4, MAX_CLOCK_SKEW_MS, type SignedRequest, type VerifiedCaller } from './sigv4-verifier.ts';
