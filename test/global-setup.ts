import { ensureClientBuilt } from '../cli/client-bundle.ts';

/** Build the browser app once, before any suite starts a server that serves it. */
export default async function setup(): Promise<void> {
  await ensureClientBuilt(() => undefined);
}
