/** The lab page: instructions beside the learner's shell, with a classroom student's extras. */
export { showLab } from './lab-page.ts';
