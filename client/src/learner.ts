/**
 * Who is learning in this tab. In local mode the learner picks an id (`?learner=alice`) or gets one that is
 * remembered in this browser; each id has its own shell and workspace. Classrooms replace this with sign-in.
 */
const KEY = 'labrunner.learnerId';
const PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function currentLearnerId(): string {
  const fromUrl = new URLSearchParams(location.search).get('learner');
  if (fromUrl && PATTERN.test(fromUrl)) {
    sessionStorage.setItem(KEY, fromUrl);
    return fromUrl;
  }
  const remembered = sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);
  if (remembered && PATTERN.test(remembered)) return remembered;
  const generated = `learner-${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36)}`;
  localStorage.setItem(KEY, generated);
  return generated;
}
