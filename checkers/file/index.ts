import { constants } from 'node:fs';
import { readdir, realpath, stat, open } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { fail, pass, type CheckerDefinition } from '../../server/core/checks.ts';
import { nearMisses } from '../lib/near-miss.ts';
import { zodParams } from '../lib/params.ts';
import { excerpt, isRegExp } from '../lib/text.ts';

const RelativePath = z
  .string()
  .min(1)
  .refine((p) => !path.isAbsolute(p) && !p.startsWith('~'), { message: 'must be relative to the workspace' })
  .refine((p) => !p.split(/[\\/]/).includes('..'), { message: "must not contain '..'" });

const Params = z.strictObject({
  /** Relative to the learner's workspace, e.g. `web/index.html`. */
  path: RelativePath,
  /** false: the file must NOT exist. Default true. */
  exists: z.boolean().default(true),
  contains: z.string().min(1).optional(),
  /** A regular expression (multiline) the content must match. */
  matches: z.string().min(1).refine(isRegExp, { message: 'not a valid regular expression' }).optional(),
});
type Params = z.output<typeof Params>;

/** Content is read up to this size. */
const MAX_READ = 1 << 20;

/** A file in the learner's workspace exists (or not) and contains what the lab expects. */
export const fileCheck: CheckerDefinition<Params> = {
  id: 'file',
  description: 'A file in the learner’s workspace exists (or not) and contains the expected text',
  params: zodParams(Params),
  async run(p, ctx) {
    const root = await realpath(ctx.workspace);
    const wanted = path.resolve(root, p.path);
    const real = await realpath(wanted).catch(() => undefined);
    // A symlink may point anywhere; only what really lies inside the workspace is the learner's file.
    if (real !== undefined && real !== root && !real.startsWith(root + path.sep)) {
      return fail(`'${p.path}' points outside your workspace.`, `Make '${p.path}' a regular file in your workspace, not a link to ${real}.`, { path: p.path });
    }
    const info = real !== undefined ? await stat(real).catch(() => undefined) : undefined;
    if (!p.exists) {
      return info ? fail(`'${p.path}' still exists.`, `Remove it: rm ${info.isDirectory() ? '-r ' : ''}${p.path}`, { path: p.path }) : pass(`'${p.path}' does not exist.`);
    }
    if (!info) {
      const dir = path.dirname(wanted);
      const siblings = await readdir(dir).catch(() => [] as string[]);
      const near = nearMisses(path.basename(wanted), siblings);
      const rel = path.relative(root, dir) || '.';
      const hint = near.length > 0 ? `You have '${path.join(path.dirname(p.path), near[0]!)}'; the lab asks for '${p.path}'.` : siblings.length > 0 || rel === '.' ? `Create it in ${rel === '.' ? 'your workspace' : `'${rel}'`}.` : `The folder '${rel}' does not exist either.`;
      return fail(`There is no '${p.path}' in your workspace.`, hint, { path: p.path, nearMisses: near });
    }
    if (info.isDirectory()) return fail(`'${p.path}' is a folder, not a file.`, `The lab expects a file at '${p.path}'.`, { path: p.path });
    if (p.contains === undefined && p.matches === undefined) return pass(`'${p.path}' exists.`, { path: p.path });
    const text = await readStart(real!, root);
    if (text === undefined) {
      return fail(`'${p.path}' points outside your workspace.`, `Make '${p.path}' a regular file in your workspace, not a link.`, { path: p.path });
    }
    const evidence = { path: p.path, start: excerpt(text) };
    if (p.contains !== undefined && !text.includes(p.contains)) {
      return fail(`'${p.path}' does not contain "${p.contains}".`, text.trim() ? `It starts with: "${excerpt(text)}"` : 'The file is empty.', evidence);
    }
    if (p.matches !== undefined && !new RegExp(p.matches, 'm').test(text)) {
      return fail(`'${p.path}' does not match /${p.matches}/.`, text.trim() ? `It starts with: "${excerpt(text)}"` : 'The file is empty.', evidence);
    }
    return pass(`'${p.path}' has the expected content.`, evidence);
  },
};

/**
 * The file's first MiB, or undefined when the file actually opened lies outside `root`: the learner may swap the
 * file for a link between the check above and this open, and the checker may run with more rights than they
 * have (as root on a server without isolation), so what was opened is checked, not what was named.
 */
async function readStart(file: string, root: string): Promise<string | undefined> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const opened = await realpath(`/proc/self/fd/${handle.fd}`).catch(() => file);
    if (opened !== root && !opened.startsWith(root + path.sep)) return undefined;
    const buf = Buffer.alloc(MAX_READ);
    const { bytesRead } = await handle.read(buf, 0, MAX_READ, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
