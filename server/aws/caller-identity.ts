import type { AwsCredentialIdentity } from '@aws-sdk/types';

/**
 * The account that credentials belong to, by STS GetCallerIdentity (how both the server's profile and a
 * student's own keys are checked). Rejects with the SDK's error (its name says what is wrong; its message names
 * no secret), or with an Error when STS answers without an account. The SDK is loaded here, on first use.
 */
export async function callerAccount(credentials: AwsCredentialIdentity, region: string, endpoint?: string): Promise<string> {
  const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');
  const sts = new STSClient({
    region,
    ...(endpoint ? { endpoint } : {}),
    credentials,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 5000, requestTimeout: 10_000, throwOnRequestTimeout: true },
  });
  try {
    const me = await sts.send(new GetCallerIdentityCommand({}));
    if (!me.Account) throw new Error('GetCallerIdentity returned no account');
    return me.Account;
  } finally {
    sts.destroy();
  }
}
