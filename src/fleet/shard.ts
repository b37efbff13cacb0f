import { createHash } from 'node:crypto'
import { MigratorError } from '../errors.js'

/** `--shard i/n`: this machine runs shard `index` (1-based) of `count`. */
export interface Shard {
  readonly index: number
  readonly count: number
}

export function parseShard(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined
  const match = /^(\d+)\/(\d+)$/.exec(value.trim())
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (match === null || count < 1 || index < 1 || index > count) {
    throw new MigratorError('usage', `--shard: expected i/n with 1 ≤ i ≤ n, like 1/4, got "${value}"`)
  }
  return { index, count }
}

/**
 * The targets of one shard. A target belongs to the shard its key's hash (sha256, first 32 bits,
 * modulo n) names, so the split depends on neither the order of the list nor on which other
 * targets it holds: machines that list the fleet differently still agree, and a target added
 * later lands in one shard without moving the others.
 */
export function shardOf<T>(targets: readonly T[], shard: Shard | undefined, key: (target: T) => string): T[] {
  if (shard === undefined) return [...targets]
  return targets.filter((target) => createHash('sha256').update(key(target)).digest().readUInt32BE(0) % shard.count === shard.index - 1)
}
