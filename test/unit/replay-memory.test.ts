import { describe, expect, it } from 'vitest'
import { FrameStack, ReplayMemory, type Batch } from '../../src/core/agents/replay-memory'
import { Rng } from '../../src/core/rng'

const D = 3

/** A transition whose every field encodes its id, so a sampled row can be checked for consistency. */
function pushId(mem: ReplayMemory, id: number): void {
  const s = new Float32Array([id, id + 0.25, id + 0.5])
  const s2 = new Float32Array([-id, -id - 0.25, -id - 0.5])
  mem.push(s, id % 3, id * 10, s2, id % 2 === 1)
}

/** Samples `draws` rows and returns the ids seen; fails on any row whose fields don't belong together. */
function sampledIds(mem: ReplayMemory, draws: number, seed = 1, batchSize = 64): Set<number> {
  const rng = new Rng(seed)
  const batch = ReplayMemory.allocBatch(batchSize, D)
  const ids = new Set<number>()
  const bad: string[] = []
  for (let done = 0; done < draws; done += batchSize) {
    mem.sample(batchSize, rng, batch)
    for (let b = 0; b < batchSize; b++) {
      const id = batch.states[b * D]
      const ok =
        batch.states[b * D + 1] === id + 0.25 &&
        batch.states[b * D + 2] === id + 0.5 &&
        batch.nextStates[b * D] === -id &&
        batch.nextStates[b * D + 2] === -id - 0.5 &&
        batch.actions[b] === id % 3 &&
        batch.rewards[b] === id * 10 &&
        batch.dones[b] === (id % 2 === 1 ? 1 : 0)
      if (!ok) bad.push(`row ${b}: id ${id}`)
      ids.add(id)
    }
  }
  expect(bad).toEqual([])
  return ids
}

const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo }, (_, k) => lo + k)

describe('ReplayMemory', () => {
  it('rejects capacity 0 and anything below −1', () => {
    expect(() => new ReplayMemory(0, D)).toThrow()
    expect(() => new ReplayMemory(-2, D)).toThrow()
    expect(() => new ReplayMemory(-1, D)).not.toThrow()
    expect(() => new ReplayMemory(1, D)).not.toThrow()
  })

  it('samples exactly the stored transitions, fields kept together', () => {
    const mem = new ReplayMemory(100, D)
    for (let id = 0; id < 10; id++) pushId(mem, id)
    expect(mem.size).toBe(10)
    expect([...sampledIds(mem, 2000)].sort((a, b) => a - b)).toEqual(range(0, 10))
  })

  it('is a ring at capacity: size stops growing and the oldest are overwritten', () => {
    const mem = new ReplayMemory(5, D)
    for (let id = 0; id < 5; id++) pushId(mem, id)
    expect(mem.size).toBe(5)
    for (let id = 5; id < 12; id++) {
      pushId(mem, id)
      expect(mem.size).toBe(5)
    }
    expect([...sampledIds(mem, 2000)].sort((a, b) => a - b)).toEqual(range(7, 12))
  })

  it('with capacity −1 grows without bound and keeps everything across reallocations', () => {
    const mem = new ReplayMemory(-1, D)
    const n = 3000 // past the initial 1024 slots, so it reallocates twice
    for (let id = 0; id < n; id++) pushId(mem, id)
    expect(mem.size).toBe(n)
    const ids = sampledIds(mem, 60_000)
    expect([...ids].sort((a, b) => a - b)).toEqual(range(0, n))
  })

  it('copies what it is given: later changes to the pushed arrays do not leak in', () => {
    const mem = new ReplayMemory(4, 2)
    const s = new Float32Array([1, 2])
    const s2 = new Float32Array([3, 4])
    mem.push(s, 1, 0.5, s2, false)
    s.fill(9)
    s2.fill(9)
    const batch = ReplayMemory.allocBatch(3, 2)
    mem.sample(3, new Rng(0), batch)
    expect(Array.from(batch.states)).toEqual([1, 2, 1, 2, 1, 2])
    expect(Array.from(batch.nextStates)).toEqual([3, 4, 3, 4, 3, 4])
    expect(Array.from(batch.actions)).toEqual([1, 1, 1])
    expect(Array.from(batch.rewards)).toEqual([0.5, 0.5, 0.5])
    expect(Array.from(batch.dones)).toEqual([0, 0, 0])
  })

  it('samples with replacement (a batch larger than the memory is fine) and deterministically under a seed', () => {
    const mem = new ReplayMemory(10, D)
    for (let id = 0; id < 3; id++) pushId(mem, id)
    const take = (seed: number): Batch => {
      const b = ReplayMemory.allocBatch(32, D)
      mem.sample(32, new Rng(seed), b)
      return b
    }
    expect(take(4)).toEqual(take(4))
    expect(Array.from(take(4).actions)).not.toEqual(Array.from(take(5).actions))
    expect(sampledIds(mem, 320, 4, 32).size).toBe(3)
  })

  it('clear() empties it; new pushes start over', () => {
    const mem = new ReplayMemory(5, D)
    for (let id = 0; id < 7; id++) pushId(mem, id)
    mem.clear()
    expect(mem.size).toBe(0)
    pushId(mem, 100)
    expect(mem.size).toBe(1)
    expect([...sampledIds(mem, 200)]).toEqual([100])
  })
})

describe('ReplayMemory without replacement (qlearning4k’s sampling)', () => {
  it('draws distinct transitions, each slot about equally often, and refuses more than it holds', () => {
    const mem = new ReplayMemory(20, D, 'without-replacement')
    for (let id = 0; id < 30; id++) pushId(mem, id)
    const rng = new Rng(3)
    const batch = ReplayMemory.allocBatch(20, D)
    mem.sample(20, rng, batch)
    const all = Array.from({ length: 20 }, (_, b) => batch.states[b * D])
    expect([...all].sort((a, b) => a - b)).toEqual(range(10, 30))
    const counts = new Map<number, number>()
    const small = ReplayMemory.allocBatch(4, D)
    for (let k = 0; k < 1000; k++) {
      mem.sample(4, rng, small)
      const ids = Array.from({ length: 4 }, (_, b) => small.states[b * D])
      expect(new Set(ids).size).toBe(4)
      ids.forEach((id) => counts.set(id, (counts.get(id) ?? 0) + 1))
    }
    expect(counts.size).toBe(20)
    for (const c of counts.values()) expect(Math.abs(c - 200)).toBeLessThan(70)
    expect(() => mem.sample(21, rng, ReplayMemory.allocBatch(21, D))).toThrow(/cannot sample 21 distinct transitions from 20/)
  })

  it('keeps fields together and stays distinct after the unbounded memory reallocates', () => {
    const mem = new ReplayMemory(-1, D, 'without-replacement')
    for (let id = 0; id < 10; id++) pushId(mem, id)
    sampledIds(mem, 64, 1, 8)
    for (let id = 10; id < 2100; id++) pushId(mem, id)
    const batch = ReplayMemory.allocBatch(2100, D)
    mem.sample(2100, new Rng(2), batch)
    expect(new Set(Array.from({ length: 2100 }, (_, b) => batch.states[b * D])).size).toBe(2100)
    expect(sampledIds(mem, 640, 4, 64).size).toBeGreaterThan(500)
  })
})

describe('ReplayMemory batches and checkpoints', () => {
  it('a batch holds S then S′ in one buffer (statePairs), states and nextStates being its halves', () => {
    const mem = new ReplayMemory(10, D)
    pushId(mem, 4)
    const batch = ReplayMemory.allocBatch(2, D)
    mem.sample(2, new Rng(0), batch)
    expect(Array.from(batch.statePairs)).toEqual([4, 4.25, 4.5, 4, 4.25, 4.5, -4, -4.25, -4.5, -4, -4.25, -4.5])
    expect(batch.states.buffer).toBe(batch.statePairs.buffer)
    expect(batch.nextStates.buffer).toBe(batch.statePairs.buffer)
  })

  it('checkpoint bytes keep their layout (states, next states, actions, rewards, dones per slot) and load back in either sampling mode', () => {
    const mem = new ReplayMemory(4, 2)
    mem.push(new Float32Array([1, 2]), 2, 0.5, new Float32Array([3, 4]), true)
    mem.push(new Float32Array([5, 6]), 1, -1, new Float32Array([7, 8]), false)
    const { meta, bytes } = mem.toBytes()
    expect(meta).toEqual({ capacity: 4, stateSize: 2, slots: 4, size: 2, cursor: 2 })
    const f32 = (o: number, n: number) => Array.from(new Float32Array(bytes.slice(o, o + 4 * n).buffer))
    expect(bytes.byteLength).toBe(4 * 2 * 4 * 2 + 4 * 4 + 4 * 4 + 4)
    expect(f32(0, 8)).toEqual([1, 2, 5, 6, 0, 0, 0, 0])
    expect(f32(32, 8)).toEqual([3, 4, 7, 8, 0, 0, 0, 0])
    expect(Array.from(new Int32Array(bytes.slice(64, 80).buffer))).toEqual([2, 1, 0, 0])
    expect(f32(80, 4)).toEqual([0.5, -1, 0, 0])
    expect(Array.from(bytes.slice(96))).toEqual([1, 0, 0, 0])
    const back = new ReplayMemory(4, 2, 'without-replacement')
    back.loadBytes(meta, bytes)
    expect(back.size).toBe(2)
    const batch = ReplayMemory.allocBatch(2, 2)
    back.sample(2, new Rng(1), batch)
    const rows = [0, 1].map((b) => [batch.states[2 * b], batch.nextStates[2 * b], batch.actions[b], batch.rewards[b], batch.dones[b]])
    expect(rows.sort((a, b) => a[0] - b[0])).toEqual([
      [1, 3, 2, 0.5, 1],
      [5, 7, 1, -1, 0],
    ])
  })
})

describe('FrameStack', () => {
  it('reset repeats the first frame; push shifts, oldest first, newest last', () => {
    const fs = new FrameStack(3, 2)
    expect(Array.from(fs.reset(new Float32Array([1, 2])))).toEqual([1, 2, 1, 2, 1, 2])
    expect(Array.from(fs.push(new Float32Array([3, 4])))).toEqual([1, 2, 1, 2, 3, 4])
    expect(Array.from(fs.push(new Float32Array([5, 6])))).toEqual([1, 2, 3, 4, 5, 6])
    expect(Array.from(fs.push(new Float32Array([7, 8])))).toEqual([3, 4, 5, 6, 7, 8])
    // A new episode forgets the old one entirely.
    expect(Array.from(fs.reset(new Float32Array([0, 9])))).toEqual([0, 9, 0, 9, 0, 9])
  })

  it('with one frame the state is just the latest observation', () => {
    const fs = new FrameStack(1, 3)
    expect(Array.from(fs.reset(new Float32Array([1, 2, 3])))).toEqual([1, 2, 3])
    expect(Array.from(fs.push(new Float32Array([4, 5, 6])))).toEqual([4, 5, 6])
  })

  it('copies frames, so an env overwriting its obs buffer does not change the stack', () => {
    const fs = new FrameStack(2, 2)
    const obs = new Float32Array([1, 1])
    fs.reset(obs)
    obs.set([2, 2])
    fs.push(obs)
    obs.set([3, 3])
    expect(Array.from(fs.state)).toEqual([1, 1, 2, 2])
  })
})
