/** Classrooms: the service behind the join link, the instructor link, the dashboard and the gradebook (issue #6). */
export { ClassroomService, type ClassroomServiceDeps, type CreateClassroomInput, type NewSession } from './classroom-service.ts';
export { ShadowGrants, type WriteRequest } from './shadow-grants.ts';
export { digestOf } from './secrets.ts';
