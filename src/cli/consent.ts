import { createInterface } from 'node:readline/promises'
import { describeLoss, type ConsentOptions, type FileDataLoss } from '../safety/consent.js'
import type { CommandContext } from './context.js'

/**
 * How `up`/`down` ask before destroying stored data: on a terminal, list every table and column
 * with its row count and ask (as Prisma does); elsewhere (CI, pipes, --json) nobody can answer and
 * the run refuses. `--yes` does not answer this question: losing data takes its own flag,
 * `--allow-data-loss`, so that nobody loses data by habit.
 */
export function dataLossPrompt(ctx: CommandContext): ConsentOptions['confirm'] {
  if (ctx.options.json || process.stdin.isTTY !== true || process.stderr.isTTY !== true) return undefined
  return async (losses: readonly FileDataLoss[]) => {
    ctx.out.warn('This would destroy stored data:')
    for (const loss of losses) ctx.out.warn(`  ${describeLoss(loss)} (${loss.file})`)
    const prompt = createInterface({ input: process.stdin, output: process.stderr })
    try {
      return /^y(es)?$/i.test((await prompt.question('Destroy this data? [y/N] ')).trim())
    } finally {
      prompt.close()
    }
  }
}

/** The data-loss lines a dry run prints after its SQL (stderr): what a real run would ask about. */
export function printDataLoss(ctx: CommandContext, losses: readonly FileDataLoss[]): void {
  if (losses.length === 0) return
  ctx.out.warn(`would destroy stored data (a real run needs --allow-data-loss or a yes on a terminal):`)
  for (const loss of losses) ctx.out.warn(`  ${describeLoss(loss)} (${loss.file})`)
}
