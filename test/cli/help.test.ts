import { describe, expect, it } from 'vitest'
import { runCli } from './helpers.js'
import os from 'node:os'

const GLOBAL_FLAGS = ['--config <path>', '--env <name>', '--url <url>', '--dir <path>', '--dev-url <url>', '--json', '--no-color', '-y, --yes', '-q, --quiet', '-v, --verbose']

/** The command names `migrator --help` lists, so a command added later is covered too. */
async function commands(): Promise<string[]> {
  const help = await runCli(['--help'], { cwd: os.tmpdir() })
  const section = (help.stdout.split('Commands:\n')[1] ?? '').split('\n\n')[0]!
  return section.split('\n').map((line) => /^  ([a-z][a-z-]*)\b/.exec(line)?.[1]).filter((name): name is string => name !== undefined && name !== 'help')
}

describe('--help of every command', () => {
  it('lists the global flags and at least one example that uses the command', { timeout: 240_000 }, async () => {
    const names = await commands()
    expect(names).toEqual(expect.arrayContaining(['init', 'inspect', 'diff', 'new', 'up', 'down', 'status', 'validate', 'lint', 'baseline', 'repair', 'hash', 'backup', 'restore', 'test', 'verify']))
    for (const name of names) {
      const help = await runCli([name, '--help'], { cwd: os.tmpdir() })
      expect(help.code, name).toBe(0)
      const [, globals = ''] = help.stdout.split('Global Options:\n')
      for (const flag of GLOBAL_FLAGS) expect(globals, `${name} --help: ${flag}`).toContain(flag)
      const examples = (help.stdout.split(/\nExamples?:\n/)[1] ?? '').split('\n').filter((line) => line.startsWith('  migrator '))
      expect(examples.length, `${name} --help has an example`).toBeGreaterThan(0)
      for (const example of examples) expect(example, `${name} --help example`).toMatch(new RegExp(`^  migrator (--\\S+ \\S+ )*${name}\\b`))
    }
  })

  it('has no global --to: it belongs to diff, status and lint (target) and up/down (version)', async () => {
    const root = await runCli(['--help'], { cwd: os.tmpdir() })
    expect(root.stdout).not.toContain('--to')
    expect((await runCli(['diff', '--help'], { cwd: os.tmpdir() })).stdout).toMatch(/--to <target>/)
    expect((await runCli(['up', '--help'], { cwd: os.tmpdir() })).stdout).toMatch(/--to <version>/)
  })
})
