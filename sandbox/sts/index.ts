/** STS in the sandbox (GetCallerIdentity) over the AWS Query protocol. */
export { createStsHandler, callerIdentity, STS_XMLNS, STS_VERSION, type CallerIdentity, type StsCredentialLookup } from './sts-handler.ts';
export { isQueryProtocolRequest } from './query-protocol.ts';
