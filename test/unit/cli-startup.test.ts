/**
 * The CLI starts from the built JavaScript in out/node (`npm run build:node`,
 * which `npm test` runs first) while that build is fresh, and from the
 * TypeScript sources through tsx otherwise; its trainers start from the same
 * place. QUARKADE_DEBUG=1 makes bin/quarkade.mjs say which it took.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'quarkade-cli-startup-'))
const dataDir = path.join(scratch, 'data')
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

const BUILT = 'quarkade: running the built CLI (out/node/cli.js)'

function quarkade(bin: string, args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, QUARKADE_DEBUG: '1', ...env } })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
const bin = path.join(root, 'bin/quarkade.mjs')

describe('CLI start-up', () => {
  it('trains with the built CLI and a trainer started from out/node/trainer.js', () => {
    const r = quarkade(bin, ['train', '--env', 'catch', '--algo', 'dqn', '--seed', '3', '--episodes', '2', '--data-dir', dataDir, '--json'])
    expect(r.stderr).toContain(BUILT)
    expect(r.stderr).toContain(`quarkade: starting a trainer from ${path.join(root, 'out/node/trainer.js')}`)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toMatchObject({ status: 'completed', env: 'catch-v1', seed: 3, episodes: 2, env_steps: 18 })
  })

  it('lists the same runs from the build and, with QUARKADE_FROM_SOURCE=1, from the sources', () => {
    const built = quarkade(bin, ['runs', '--json', '--data-dir', dataDir])
    expect(built.stderr).toContain(BUILT)
    expect(built.code).toBe(0)
    const source = quarkade(bin, ['runs', '--json', '--data-dir', dataDir], { QUARKADE_FROM_SOURCE: '1' })
    expect(source.stderr).toContain('quarkade: running the TypeScript sources through tsx (QUARKADE_FROM_SOURCE is set')
    expect(source.code).toBe(0)
    expect(JSON.parse(source.stdout)).toEqual(JSON.parse(built.stdout))
    expect(JSON.parse(built.stdout)).toMatchObject([{ env: 'catch-v1', algo: 'dqn', status: 'completed', episodes: 2 }])
  })

  it('uses the build only while no source file in it is newer than the build', () => {
    // A copy of the checkout's layout: its own bin and out/node, the real sources and packages linked in.
    const tree = path.join(scratch, 'tree')
    fs.mkdirSync(path.join(tree, 'bin'), { recursive: true })
    fs.copyFileSync(bin, path.join(tree, 'bin/quarkade.mjs'))
    fs.copyFileSync(path.join(root, 'package.json'), path.join(tree, 'package.json'))
    fs.cpSync(path.join(root, 'out/node'), path.join(tree, 'out/node'), { recursive: true })
    for (const dir of ['src', 'node_modules']) fs.symlinkSync(path.join(root, dir), path.join(tree, dir))
    const copy = path.join(tree, 'bin/quarkade.mjs')
    const manifest = path.join(tree, 'out/node/inputs.json')
    const args = ['runs', '--json', '--data-dir', dataDir]

    const fresh = quarkade(copy, args)
    expect(fresh.stderr).toContain(BUILT)
    expect(fresh.code).toBe(0)

    // A build from before the sources' last change: an edit since then must not be hidden.
    fs.utimesSync(manifest, new Date(0), new Date(0))
    const stale = quarkade(copy, args)
    expect(stale.stderr).toMatch(/quarkade: running the TypeScript sources through tsx \(\S+ changed after the build; npm run build:node\)/)
    expect(stale.code).toBe(0)
    expect(JSON.parse(stale.stdout)).toEqual(JSON.parse(fresh.stdout))

    fs.rmSync(path.join(tree, 'out'), { recursive: true })
    const none = quarkade(copy, args)
    expect(none.stderr).toContain('quarkade: running the TypeScript sources through tsx (no build in out/node')
    expect(none.code).toBe(0)
  })
})
