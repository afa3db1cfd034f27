/** `GET /v2/<name>/tags/list` with `n`/`last` pagination and an RFC 5988 `Link` to the next page. */
import { RegistryError } from '../core/registry/index.ts';
import { requireRepository, unsupported } from './context.ts';
import type { RepoRequest } from './context.ts';
import { queryParam, sendJson } from './http.ts';

/** ECR's ListImages page limit, also applied to the registry's tag list. */
const MAX_PAGE = 1000;

/** Serves the tag list of one repository. */
export function handleTags(ctx: RepoRequest): void {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw unsupported();
  requireRepository(ctx);
  const nParam = queryParam(ctx.url, 'n');
  const last = queryParam(ctx.url, 'last');
  let n: number | undefined;
  if (nParam !== undefined) {
    n = Number(nParam);
    if (!/^\d+$/.test(nParam) || n > MAX_PAGE) {
      throw new RegistryError('UNSUPPORTED', `invalid page size n=${nParam.slice(0, 20)}; expected 0 to ${MAX_PAGE}`, undefined, { status: 400 });
    }
  }
  // Byte-wise ("ASCIIbetical") order, as the spec asks; the image model's order is not relied on.
  const all = [...ctx.deps.images.listTags(ctx.scope, ctx.name)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const after = last === undefined ? all : all.filter((t) => t > last);
  const page = n === undefined ? after : after.slice(0, n);
  const headers: Record<string, string> = {};
  const lastOfPage = page[page.length - 1];
  if (n !== undefined && n > 0 && after.length > page.length && lastOfPage !== undefined) {
    headers['Link'] = `</v2/${ctx.name}/tags/list?n=${n}&last=${encodeURIComponent(lastOfPage)}>; rel="next"`;
  }
  sendJson(ctx.res, 200, { name: ctx.name, tags: page }, headers);
}
