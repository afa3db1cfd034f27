/** Classrooms in the browser: joining, the owner's classroom list, and the instructor's live dashboard. */
export { showJoinPage } from './join-page.ts';
export { showClassroomsPage } from './classrooms-page.ts';
export { showDashboard } from './dashboard-page.ts';
