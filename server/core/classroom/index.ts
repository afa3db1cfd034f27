/** Classrooms, pure: the model, validation, the dashboard's rows and stuck flags, the gradebook, the store contract. */
export * from './model.ts';
export * from './validation.ts';
export * from './dashboard.ts';
export * from './gradebook.ts';
export type * from './store.ts';
