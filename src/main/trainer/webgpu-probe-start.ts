/**
 * Imported first by the trainer entry: starts the WebGPU adapter probe (a throwaway process, ~0.5 s)
 * while the trainer's own modules load, so `auto` finds the verdict ready instead of waiting for it.
 * Not under Electron: there the probe runs in-process, and only a run that asks for it should risk that.
 */
import { probeWebGpu } from './webgpu-probe'

if (!process.versions.electron) void probeWebGpu()
