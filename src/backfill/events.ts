/** What a backfill reports while it runs; src/cli renders these (spinner on a TTY, log lines otherwise). */
export type BackfillEvent =
  | {
      readonly kind: 'backfill-start'
      readonly id: string
      readonly table: string
      /** Rows already done by an earlier, interrupted run of the same spec (0 for a fresh run). */
      readonly resumedFrom: number
      /** Rows done + rows still matching `where` at the start; undefined when counting was turned off. */
      readonly total?: number
    }
  | {
      readonly kind: 'backfill-progress'
      readonly id: string
      readonly table: string
      readonly pass: number
      readonly chunkRows: number
      readonly rowsDone: number
      readonly total?: number
      /** Average over this run (resumed rows excluded). */
      readonly rowsPerSecond: number
      /** Estimated time left, when the total is known. */
      readonly etaMs?: number
    }
  | {
      /** The walk reached the end but rows written behind the cursor still match `where`: another pass. */
      readonly kind: 'backfill-pass'
      readonly id: string
      readonly table: string
      readonly pass: number
      readonly remaining: number
    }
  | {
      readonly kind: 'backfill-done'
      readonly id: string
      readonly table: string
      readonly rowsDone: number
      readonly elapsedMs: number
      readonly passes: number
    }
