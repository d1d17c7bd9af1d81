/**
 * What the NVIDIA container runtime needs to see in a Triton container to give it the GPU.
 *
 * On Jetson the runtime works in CSV mode, which changes nothing unless NVIDIA_VISIBLE_DEVICES
 * names devices (NVIDIA/nvidia-container-toolkit internal/modifier/csv.go, v1.14.0-v1.20.0:
 * "No modification required; no devices requested"); Docker's legacy hook (the tutorial's
 * JetPack 4.6 boards) treats a container without it as "not a GPU container" unless the image
 * is a legacy CUDA image (cmd/nvidia-container-toolkit/container_config.go at v1.7.0,
 * getDevicesFromEnvvar). Images may set it themselves; the pod sets it either way, with the
 * values of K3s' own GPU example (k3s-io/docs docs/advanced.md, "Alternative Container Runtime
 * Support": NVIDIA_VISIBLE_DEVICES=all, NVIDIA_DRIVER_CAPABILITIES=all). CSV mode does not read
 * the capabilities (csv.go); docs/profiles.md.
 */
import type { EnvVar } from '../imports/k8s';

export const NVIDIA_RUNTIME_ENV: readonly EnvVar[] = [
  { name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' },
  { name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'all' },
];
