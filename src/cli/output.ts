import { stripVTControlCharacters } from 'node:util'
import { escapeControl } from '../errors.js'

/** The styles output uses: chalk's when a stream is a terminal, plain text otherwise. */
export interface Colors {
  green(text: string): string
  yellow(text: string): string
  red(text: string): string
  dim(text: string): string
  bold(text: string): string
}

const plain: Colors = { green: (t) => t, yellow: (t) => t, red: (t) => t, dim: (t) => t, bold: (t) => t }

/** chalk and ora, loaded by `loadStyling` only when stdout or stderr is a terminal. */
export interface Styling {
  readonly chalk: typeof import('chalk')
  readonly ora: typeof import('ora').default
}

/**
 * Loads colors and spinners when one of the streams is a terminal; undefined otherwise (pipes, CI
 * logs, --json consumers), so most runs never pay for importing chalk and ora.
 */
export async function loadStyling(streams: Pick<OutputStreams, 'stdout' | 'stderr'> = { stdout: process.stdout, stderr: process.stderr }): Promise<Styling | undefined> {
  if (streams.stdout.isTTY !== true && streams.stderr.isTTY !== true) return undefined
  const [chalk, ora] = await Promise.all([import('chalk'), import('ora')])
  return { chalk, ora: ora.default }
}

/** The global flags that shape output. */
export interface OutputOptions {
  readonly json: boolean
  /** False with `--no-color`. */
  readonly color: boolean
  readonly quiet: boolean
  readonly verbose: boolean
}

/** Where output goes; tests and the CLI pass process streams. */
export interface OutputStreams {
  readonly stdout: NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean })
  readonly stderr: NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean })
  readonly env: Readonly<Record<string, string | undefined>>
}

/** A column of `Output.table`: a row key, or a key with its header and alignment. */
export type Column = string | { readonly key: string; readonly header?: string; readonly align?: 'left' | 'right' }

/** Progress for one long step. Off a TTY (or with --json/--quiet) it prints only the final line. */
export interface Spinner {
  text: string
  succeed(text?: string): void
  fail(text?: string): void
  stop(): void
}

/**
 * The only way commands print. Logging (info/warn/success/error/debug, spinners) goes to stderr;
 * results (print/table/json) go to stdout. Under --json stdout carries exactly one JSON document:
 * `json()` may be called once and `print`/`table` throw, so a command cannot break the contract.
 */
export interface Output {
  readonly isJson: boolean
  /** True once `json()` wrote the document (the error handler then must not write another). */
  readonly jsonWritten: boolean
  /** Colors for stdout text (plain when stdout is not a TTY, NO_COLOR or --no-color). */
  readonly colors: Colors
  /**
   * Spinners animate (stderr is a terminal that can redraw a line, not --json/--quiet); otherwise
   * their texts become log lines.
   */
  readonly spinnersEnabled: boolean
  info(message: string): void
  success(message: string): void
  warn(message: string): void
  error(message: string): void
  /** Only with --verbose. */
  debug(message: string): void
  /** A result line (or block) on stdout. */
  print(text: string): void
  /** An aligned plain-text table on stdout. */
  table(rows: readonly Readonly<Record<string, unknown>>[], columns: readonly Column[]): void
  /** The single JSON document of a --json run. */
  json(doc: unknown): void
  /** `json(doc())` under --json, otherwise `text()`: the usual shape of a command's last step. */
  result(doc: () => unknown, text: () => void): void
  spinner(text: string): Spinner
}

/**
 * The Output of one run. `styling` (loadStyling) brings colors and spinners; without it, or off a
 * terminal, text is plain and spinners print only their final line.
 */
export function createOutput(
  options: OutputOptions,
  streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr, env: process.env },
  styling?: Styling,
): Output {
  const { stdout, stderr, env } = streams
  // no-color.org: NO_COLOR set to any non-empty value disables color.
  const colorAllowed = options.color && !options.json && (env.NO_COLOR ?? '') === ''
  const colors = (stream: OutputStreams['stdout'], detected: { level: number } | false): Colors => {
    if (styling === undefined || !colorAllowed || stream.isTTY !== true) return plain
    return new styling.chalk.Chalk({ level: Math.max(1, detected === false ? 0 : detected.level) as 1 | 2 | 3 })
  }
  const out = colors(stdout, styling?.chalk.supportsColor ?? false)
  const err = colors(stderr, styling?.chalk.supportsColorStderr ?? false)
  const ora = styling?.ora
  const spinners = ora !== undefined && canDrawSpinner(stderr, env) && !options.json && !options.quiet
  let jsonWritten = false

  const line = (text: string) => void stderr.write(`${text}\n`)
  const noStdoutText = (what: string) => {
    // A programming error, not a user error: it would corrupt the single JSON document.
    if (options.json) throw new Error(`internal: ${what} called under --json; use json() for the result`)
  }

  const output: Output = {
    isJson: options.json,
    get jsonWritten() {
      return jsonWritten
    },
    colors: out,
    spinnersEnabled: spinners,
    info(message) {
      if (!options.quiet) line(escapeControl(message))
    },
    success(message) {
      if (!options.quiet) line(err.green(escapeControl(message)))
    },
    warn(message) {
      line(`${err.yellow('warning:')} ${escapeControl(message)}`)
    },
    error(message) {
      line(`${err.red('error:')} ${escapeControl(message)}`)
    },
    debug(message) {
      if (options.verbose) line(err.dim(escapeControl(message)))
    },
    print(text) {
      noStdoutText('print()')
      stdout.write(text.endsWith('\n') ? text : `${text}\n`)
    },
    table(rows, columns) {
      noStdoutText('table()')
      const keys = columns.map((c) => (typeof c === 'string' ? c : c.key))
      const cells = rows.map((row) => Object.fromEntries(keys.map((k) => [k, typeof row[k] === 'string' ? escapeControl(row[k]) : row[k]])))
      stdout.write(formatTable(cells, columns, (header) => out.bold(header)))
    },
    json(doc) {
      if (jsonWritten) throw new Error('internal: json() called twice; a --json run prints exactly one document')
      jsonWritten = true
      stdout.write(`${JSON.stringify(doc, null, 2)}\n`)
    },
    result(doc, text) {
      if (options.json) output.json(doc())
      else text()
    },
    spinner(text) {
      if (spinners && ora !== undefined) {
        const spinner = ora({ text: escapeControl(text), stream: stderr as NodeJS.WritableStream, color: 'cyan', isEnabled: true }).start()
        return {
          get text() {
            return spinner.text
          },
          set text(value: string) {
            spinner.text = escapeControl(value)
          },
          succeed: (final) => void spinner.succeed(final === undefined ? undefined : escapeControl(final)),
          fail: (final) => void spinner.fail(final === undefined ? undefined : escapeControl(final)),
          stop: () => void spinner.stop(),
        }
      }
      let current = text
      return {
        get text() {
          return current
        },
        set text(value: string) {
          current = value
        },
        succeed: (final) => output.success(final ?? current),
        // A failure is reported even under --quiet; the error itself follows from the error handler.
        fail: (final) => line(err.red(escapeControl(final ?? current))),
        stop: () => undefined,
      }
    },
  }
  return output
}

/**
 * Whether `stream` is a terminal that can redraw a spinner line in place: a TTY that reports a
 * width and is not TERM=dumb. ora clears the lines it drew by dividing the text's width by the
 * terminal's: with 0 (or no) columns that count is unbounded and each frame wrote megabytes of
 * cursor-up codes, so such terminals get the plain log lines of a pipe instead.
 */
export function canDrawSpinner(stream: OutputStreams['stderr'], env: OutputStreams['env']): boolean {
  const columns = (stream as { columns?: unknown }).columns
  return stream.isTTY === true && typeof columns === 'number' && columns > 0 && env.TERM !== 'dumb'
}

/**
 * Rows → text with a header line; columns separated by two spaces, no trailing blanks. Cell widths
 * ignore ANSI color codes so colored cells still align. Missing values print as empty cells.
 */
export function formatTable(
  rows: readonly Readonly<Record<string, unknown>>[],
  columns: readonly Column[],
  styleHeader: (header: string) => string = (header) => header,
): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { key: c, header: c, align: 'left' as const } : { align: 'left' as const, header: c.key, ...c }))
  const cells = rows.map((row) => cols.map((c) => cellText(row[c.key])))
  const widths = cols.map((c, i) => Math.max(visible(c.header), ...cells.map((r) => visible(r[i] ?? ''))))
  const render = (values: readonly string[], style: (s: string) => string = (s) => s) =>
    values
      .map((value, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - visible(value))
        return cols[i]?.align === 'right' ? pad + style(value) : style(value) + pad
      })
      .join('  ')
      .trimEnd()
  return [render(cols.map((c) => c.header), styleHeader), ...cells.map((r) => render(r))].join('\n') + '\n'
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (value instanceof Date) return value.toISOString()
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/** Length without ANSI codes; text without an escape (most cells, all of them off a terminal) is measured as is. */
function visible(text: string): number {
  return text.includes('\u001b') || text.includes('\u009b') ? stripVTControlCharacters(text).length : text.length
}
