/**
 * LArTPC detector files for the Data view: open a file or npz folder in any of the three formats
 * (src/main/data/lartpc) and hand out single events for the heatmap. Detectors stay open while
 * used (their decoded-event caches with them) and close after a minute idle; a few at most.
 */
import fs from 'node:fs'
import path from 'node:path'
import { classCounts, DEFAULT_PROJECTION, type Projection } from '../../core/lartpc/event'
import type { ApiOutput, DetectorOverview } from '../../shared/api'
import { openDetector, type OpenedDetector } from '../data/lartpc'

const IDLE_MS = 60_000
const MAX_OPEN = 4

interface Open {
  det: OpenedDetector
  lastUsed: number
  /** The file's (or folder's) size and modification time when opened: a changed or vanished file is not served from the cache. */
  stamp: string
}

function stampOf(file: string): string | null {
  try {
    const st = fs.statSync(file)
    return `${st.size}:${st.mtimeMs}`
  } catch {
    return null
  }
}

export class DetectorService {
  private readonly open = new Map<string, Open>()
  private readonly timer: NodeJS.Timeout

  constructor() {
    this.timer = setInterval(() => this.closeIdle(), IDLE_MS / 4)
    this.timer.unref()
  }

  /**
   * One open detector per path and projection (a projection changes every event of a 3-D file).
   * `readable` vets the files inside a folder (the host's folder policy).
   */
  private async get(file: string, projection: Projection, readable?: (file: string) => string): Promise<OpenedDetector> {
    const key = `${path.resolve(file)}\n${JSON.stringify(projection)}`
    let entry = this.open.get(key)
    const stamp = stampOf(file)
    if (entry && entry.stamp !== stamp) {
      this.closeOne(key)
      entry = undefined
    }
    if (!entry) {
      if (this.open.size >= MAX_OPEN) {
        const oldest = [...this.open.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0]
        this.closeOne(oldest[0])
      }
      entry = { det: await openDetector(file, projection, readable), lastUsed: Date.now(), stamp: stamp ?? '' }
      this.open.set(key, entry)
    }
    entry.lastUsed = Date.now()
    return entry.det
  }

  async overview(file: string, projection: Projection = DEFAULT_PROJECTION, readable?: (file: string) => string): Promise<DetectorOverview> {
    return (await this.get(file, projection, readable)).overview
  }

  /** One event as the API sends it: base64 little-endian arrays, class counts and the energy range. */
  async event(file: string, index: number, projection: Projection = DEFAULT_PROJECTION, readable?: (file: string) => string): Promise<ApiOutput<'detector.event'>> {
    const ev = (await this.get(file, projection, readable)).source.event(index)
    let energyMax = 0
    let energyMinPositive = 0
    for (const e of ev.energy) {
      if (e > energyMax) energyMax = e
      if (e > 0 && (energyMinPositive === 0 || e < energyMinPositive)) energyMinPositive = e
    }
    return {
      index,
      width: ev.width,
      height: ev.height,
      energy: Buffer.from(ev.energy.buffer, ev.energy.byteOffset, ev.energy.byteLength).toString('base64'),
      label: Buffer.from(ev.label.buffer, ev.label.byteOffset, ev.label.byteLength).toString('base64'),
      classCounts: classCounts(ev),
      energyMax,
      energyMinPositive,
    }
  }

  private closeOne(key: string): void {
    this.open.get(key)?.det.close()
    this.open.delete(key)
  }

  private closeIdle(): void {
    const now = Date.now()
    for (const [k, e] of this.open) if (now - e.lastUsed > IDLE_MS) this.closeOne(k)
  }

  close(): void {
    clearInterval(this.timer)
    for (const k of [...this.open.keys()]) this.closeOne(k)
  }
}
