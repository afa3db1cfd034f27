export { Confinement, type ConfinementOptions, type LabContainers } from './confinement.ts';
export { DEFAULT_LIMITS, type LearnerLimits } from './limits.ts';
export { LEARNER_UID_RANGE, type LearnerIdentity } from './identities.ts';
