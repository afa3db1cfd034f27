/**
 * Accounts and their access keys. Each learner gets one 12-digit account with one access key; provisioning
 * is idempotent per learnerId. `default` is the account a plain shell (`labrunner sandbox env`) uses.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { AccountRow, MetadataStore } from '../storage/metadata-store.ts';

/** The learner id of the account a plain shell gets. */
export const DEFAULT_LEARNER_ID = 'default';

/** Credentials handed to a learner. */
export interface ProvisionedAccount {
  readonly learnerId: string;
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** learnerId rules: short, printable, no path or shell metacharacters. */
export const LEARNER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Creates and finds accounts. */
export class AccountService {
  constructor(
    private readonly _store: MetadataStore,
    private readonly _now: () => number,
  ) {}

  /** Returns the learner's account, creating it on first call. */
  provision(learnerId: string): ProvisionedAccount {
    return this._store.transaction(() => {
      const existing = this._store.findAccountByLearner(learnerId);
      if (existing) return toProvisioned(existing);
      const row: AccountRow = {
        learnerId,
        accountId: this._newAccountId(),
        accessKeyId: this._newAccessKeyId(),
        secretAccessKey: randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B'),
        createdAt: this._now(),
      };
      this._store.insertAccount(row);
      return toProvisioned(row);
    });
  }

  findByAccessKey(accessKeyId: string): AccountRow | undefined {
    return this._store.findAccountByAccessKey(accessKeyId);
  }

  private _newAccountId(): string {
    for (;;) {
      // A leading 1-9 keeps the id 12 digits wherever it is treated as a number.
      const id = String(randomInt(1, 10)) + String(randomInt(0, 100_000)).padStart(5, '0') + String(randomInt(0, 1_000_000)).padStart(6, '0');
      if (!this._store.findAccountById(id)) return id;
    }
  }

  private _newAccessKeyId(): string {
    for (;;) {
      const bytes = randomBytes(16);
      const id = 'AKIA' + Array.from(bytes, (b) => KEY_ALPHABET[b % 32]).join('');
      if (!this._store.findAccountByAccessKey(id)) return id;
    }
  }
}

function toProvisioned(r: AccountRow): ProvisionedAccount {
  return { learnerId: r.learnerId, accountId: r.accountId, accessKeyId: r.accessKeyId, secretAccessKey: r.secretAccessKey };
}
