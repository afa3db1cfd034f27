/** The container engine the sandbox drives (Docker Engine API: podman's compatible service here). */
export { ensureDockerApiSocket, type DockerApiSocket } from './docker-api-socket.ts';
