/** The container engine the sandbox drives (Docker Engine API: podman's compatible service here). */
export { ensureDockerApiSocket, type DockerApiSocket } from './docker-api-socket.ts';
export {
  EngineError,
  type IContainerEngine,
  type ContainerSpec,
  type ContainerState,
  type ListedContainer,
  type PortBinding,
  type PortSpec,
  type PullAuth,
  type PullResult,
} from './container-engine.ts';
export { DockerodeEngine, demultiplex } from './dockerode-engine.ts';
