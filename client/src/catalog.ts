import type { LabSummary } from '../../server/core/protocol.ts';
import { el, getJson, showMessage, topbar } from './dom.ts';
import type { AppContext, PageHandle } from './page.ts';
import { logout, withLearner } from './session.ts';

/**
 * The labs this browser may open. The owner sees every lab (and a link to their classrooms); a classroom
 * student sees their classroom's labs, in the classroom's order, and who they joined as.
 */
export async function showCatalog(ctx: AppContext): Promise<PageHandle> {
  const { app, session } = ctx;
  document.title = 'Labs · labrunner';
  let labs = await getJson<LabSummary[]>('/api/labs');
  const classroom = session.role === 'student' ? session.classroom : undefined;
  if (classroom) {
    const byId = new Map(labs.map((l) => [l.id, l]));
    labs = classroom.labIds.flatMap((id) => byId.get(id) ?? []);
  }
  const list = el('ul', { class: 'lab-list' });
  for (const lab of labs) {
    if (!lab.available) {
      // A broken lab is listed, not hidden: its author should see that it needs fixing.
      const errors = lab.problems?.filter((p) => p.severity === 'error').length ?? 0;
      list.append(
        el(
          'li',
          {},
          el(
            'div',
            { class: 'lab-card unavailable', 'aria-disabled': 'true' },
            el('h2', {}, lab.title),
            el('p', {}, lab.summary),
            el('p', { class: 'error' }, `Unavailable: ${errors === 1 ? '1 error' : `${errors} errors`} in its files (labrunner lint ${lab.id}).`),
          ),
        ),
      );
      continue;
    }
    list.append(
      el('li', {}, el('a', { href: withLearner(session, `/lab/${encodeURIComponent(lab.id)}`), class: 'lab-card' }, el('h2', {}, lab.title), el('p', {}, lab.summary))),
    );
  }
  if (labs.length === 0) list.append(el('li', {}, classroom ? 'This classroom has no labs yet.' : 'No labs found in labs/.'));

  const main = el('main', { class: 'catalog' });
  if (classroom) {
    const leave = el('button', { type: 'button', class: 'leave-button' }, 'Leave');
    leave.addEventListener('click', () => {
      leave.disabled = true;
      // Not back to `/`: on this machine's loopback that is the owner's catalog, not the student's.
      void logout().finally(() => {
        ctx.events.disconnect();
        showMessage(app, `You left ${classroom.name}. Open the join link again to come back.`, { title: 'You left the classroom', error: false });
      });
    });
    app.replaceChildren(topbar(el('span', { class: 'who' }, `Joined ${classroom.name} as ${session.displayName ?? session.learnerId ?? ''}`), leave), main);
    main.append(el('h1', {}, `${classroom.name}: labs`), list);
    if (session.recordingCommands) main.append(el('p', { class: 'recording-notice light' }, 'Your commands in the lab terminals are recorded for your instructor.'));
  } else {
    const items: Node[] = [];
    if (session.role === 'owner') items.push(el('a', { href: '/classrooms', class: 'nav-link' }, 'Classrooms'));
    items.push(el('span', { class: 'who' }, `learner: ${session.learnerId ?? ''}`));
    app.replaceChildren(topbar(...items), main);
    main.append(el('h1', {}, 'Labs'), list);
  }
  return { dispose: () => undefined };
}
