/** The ECR control plane: the image model shared with the registry, and (soon) the ECR operations. */
export { ImageService, type ImagePushedEvent, type PutOptions } from './image-service.ts';
export { sha256Digest } from './digest.ts';
