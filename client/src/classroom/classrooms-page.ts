import type { ClassroomCreatedView, ClassroomSummaryView, CreateClassroomRequest, LabSummary } from '../../../server/core/protocol.ts';
import { ApiError, copyButton, el, errorMessage, getJson, postJson, topbar } from '../dom.ts';
import type { AppContext, PageHandle } from '../page.ts';
import { plural } from './format.ts';

/**
 * `/classrooms` (the owner): every classroom with its students and a link to its dashboard, and a form that
 * creates one. What creating returns is shown at once: the join link and code (large, for a projector) and
 * the instructor link, which the server shows only this once.
 */
export async function showClassroomsPage(ctx: AppContext): Promise<PageHandle> {
  const { app } = ctx;
  document.title = 'Classrooms · labrunner';
  const [classrooms, labs] = await Promise.all([getJson<ClassroomSummaryView[]>('/api/classrooms'), getJson<LabSummary[]>('/api/labs')]);
  const listSection = el('section', { class: 'panel', 'aria-labelledby': 'classrooms-title' });
  const created = el('section', { class: 'panel created', 'aria-labelledby': 'created-title', tabindex: '-1' });
  created.hidden = true;
  const main = el('main', { class: 'catalog wide' }, el('h1', {}, 'Classrooms'), created, listSection, createForm(labs, (view) => {
    showCreated(created, view);
    void refresh();
  }));
  app.replaceChildren(topbar(el('a', { href: '/', class: 'nav-link' }, 'Labs')), main);

  const refresh = async () => renderList(listSection, await getJson<ClassroomSummaryView[]>('/api/classrooms'), (view) => showCreated(created, view));
  renderList(listSection, classrooms, (view) => showCreated(created, view));
  return { dispose: () => undefined };
}

function renderList(section: HTMLElement, classrooms: ClassroomSummaryView[], onLink: (view: ClassroomCreatedView) => void): void {
  const heading = el('h2', { id: 'classrooms-title' }, 'Your classrooms');
  if (!classrooms.length) return void section.replaceChildren(heading, el('p', {}, 'No classrooms yet: create one below.'));
  const rows = [...classrooms]
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((c) => {
      const newLink = el('button', { type: 'button', 'aria-label': `New instructor link for ${c.name}` }, 'New instructor link');
      newLink.addEventListener('click', () => {
        if (!confirm(`Make a new instructor link for “${c.name}”? The old link stops working.`)) return;
        newLink.disabled = true;
        postJson<ClassroomCreatedView>(`/api/classrooms/${encodeURIComponent(c.id)}/instructor-link`).then(onLink, (err: unknown) => alert(errorMessage(err))).finally(() => (newLink.disabled = false));
      });
      return el(
        'tr',
        { 'data-classroom': c.id },
        el('th', { scope: 'row' }, el('a', { href: `/classroom/${encodeURIComponent(c.id)}` }, c.name)),
        el('td', {}, plural(c.studentCount, 'student')),
        el('td', {}, c.labIds.join(', ')),
        el('td', {}, el('code', {}, c.joinCode)),
        el('td', {}, c.closedAt ? 'Closed' : 'Open'),
        el('td', {}, newLink),
      );
    });
  section.replaceChildren(
    heading,
    el(
      'div',
      { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'classrooms-title' },
      el(
        'table',
        { class: 'classroom-list' },
        el('thead', {}, el('tr', {}, ...['Classroom (dashboard)', 'Students', 'Labs', 'Join code', 'Status', 'Instructor link'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, ...rows),
      ),
    ),
  );
}

/** The join link, the code and the instructor link of a classroom just created (or a new instructor link). */
function showCreated(section: HTMLElement, view: ClassroomCreatedView): void {
  const { classroom } = view;
  section.replaceChildren(
    el('h2', { id: 'created-title' }, `“${classroom.name}” is ready`),
    joinDisplay(classroom),
    el(
      'div',
      { class: 'instructor-link' },
      el('h3', {}, 'Instructor link'),
      el('p', { class: 'warning' }, '⚠ Shown only once: copy it now. Whoever has it can open the dashboard, watch terminals and export grades.'),
      el('div', { class: 'copy-row' }, el('input', { readonly: '', value: view.instructorUrl, 'aria-label': 'Instructor link', class: 'link-field' }), copyButton(() => view.instructorUrl, 'Copy the instructor link')),
      el('p', {}, el('a', { href: `/classroom/${encodeURIComponent(classroom.id)}` }, 'Open the dashboard')),
    ),
  );
  section.hidden = false;
  section.focus();
}

/** The join link and code, large enough to read from the back of a room. */
export function joinDisplay(classroom: ClassroomSummaryView): HTMLElement {
  return el(
    'div',
    { class: 'join-display' },
    el('p', { class: 'join-label' }, 'Students join at'),
    el('div', { class: 'copy-row' }, el('a', { href: classroom.joinUrl, class: 'join-url' }, classroom.joinUrl), copyButton(() => classroom.joinUrl, 'Copy the join link')),
    el('p', { class: 'join-label' }, 'Join code'),
    el('div', { class: 'copy-row' }, el('span', { class: 'join-code', 'aria-label': `Join code ${classroom.joinCode.split('').join(' ')}` }, classroom.joinCode), copyButton(() => classroom.joinCode, 'Copy the join code')),
  );
}

function createForm(labs: LabSummary[], onCreated: (view: ClassroomCreatedView) => void): HTMLElement {
  const name = el('input', { id: 'new-name', name: 'name', required: '', maxlength: '100' });
  const labBoxes = labs
    .filter((l) => l.available)
    .map((l) => {
      const box = el('input', { type: 'checkbox', name: 'labIds', value: l.id, id: `new-lab-${l.id}` });
      return { box, label: el('label', { for: box.id, class: 'check-option' }, box, ` ${l.title}`, el('span', { class: 'muted' }, ` (${l.id})`)) };
    });
  const roster = el('textarea', { id: 'new-roster', name: 'roster', rows: '4', spellcheck: 'false', 'aria-describedby': 'new-roster-help' });
  const stuckMinutes = el('input', { id: 'new-stuck-minutes', type: 'number', min: '1', max: '600', value: '10', inputmode: 'numeric' });
  const stuckFailures = el('input', { id: 'new-stuck-failures', type: 'number', min: '1', max: '100', value: '3', inputmode: 'numeric' });
  const status = el('p', { class: 'form-status error', role: 'alert' });
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Create classroom');
  const form = el(
    'form',
    { class: 'panel create-classroom', 'aria-labelledby': 'create-title', novalidate: '' },
    el('h2', { id: 'create-title' }, 'New classroom'),
    el('div', { class: 'field' }, el('label', { for: name.id }, 'Name'), name),
    el('fieldset', {}, el('legend', {}, 'Labs'), ...labBoxes.map((b) => b.label)),
    el(
      'div',
      { class: 'field' },
      el('label', { for: roster.id }, 'Roster (optional)'),
      roster,
      el('span', { id: 'new-roster-help', class: 'field-help' }, 'One student ID per line. Leave empty to let anyone with the join link in.'),
    ),
    el(
      'fieldset',
      { class: 'inline' },
      el('legend', {}, 'Flag a student as stuck after'),
      el('div', { class: 'field' }, el('label', { for: stuckMinutes.id }, 'Minutes without progress'), stuckMinutes),
      el('div', { class: 'field' }, el('label', { for: stuckFailures.id }, 'Failed checks on a step'), stuckFailures),
    ),
    status,
    el('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const labIds = labBoxes.filter((b) => b.box.checked).map((b) => b.box.value);
    if (!name.value.trim()) return say('Give the classroom a name.', name);
    if (!labIds.length) return say('Choose at least one lab.', labBoxes[0]?.box);
    const request: CreateClassroomRequest = {
      name: name.value.trim(),
      labIds,
      roster: roster.value.split('\n').map((s) => s.trim()).filter(Boolean),
      stuckMinutes: Number(stuckMinutes.value),
      stuckFailures: Number(stuckFailures.value),
    };
    submit.disabled = true;
    status.textContent = '';
    postJson<ClassroomCreatedView>('/api/classrooms', request)
      .then((view) => {
        form.reset();
        onCreated(view);
      }, (err: unknown) => {
        if (!(err instanceof ApiError)) return say(`Could not reach the server: ${errorMessage(err)}`);
        const fields: Record<string, HTMLElement | undefined> = { name, labIds: labBoxes[0]?.box, roster, stuckMinutes, stuckFailures };
        say(err.text, err.field ? fields[err.field] : undefined);
      })
      .finally(() => (submit.disabled = false));
  });
  function say(message: string, field?: HTMLElement): void {
    status.textContent = message;
    field?.focus();
  }
  return form;
}
