/** Why some bytes are not UTF-8 text, and where. */
export interface TextProblem {
  /** Offset of the first offending byte, from 0. */
  readonly offset: number
  /** 1-based line of that byte. */
  readonly line: number
  /** `invalid UTF-8 byte 0xff`, `a NUL byte`. */
  readonly problem: string
}

/**
 * The first reason `bytes` are not UTF-8 text, or undefined when they are: a byte sequence that is
 * not well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF, as
 * a fatal TextDecoder decides) or a NUL byte, which no SQL text holds and the servers reject or
 * cut at. Pure.
 */
export function textProblem(bytes: Uint8Array): TextProblem | undefined {
  let line = 1
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!
    if (b === 0x0a) line++
    if (b === 0x00) return { offset: i, line, problem: 'a NUL byte' }
    if (b < 0x80) {
      i++
      continue
    }
    const length = sequenceLength(bytes, i)
    if (length === 0) return { offset: i, line, problem: `invalid UTF-8 byte 0x${b.toString(16).padStart(2, '0')}` }
    i += length
  }
  return undefined
}

/** Length of the well-formed multi-byte sequence starting at `i`, or 0 when it is not one. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i]!
  const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0
  if (length === 0) return 0
  // The second byte's range excludes overlong forms (E0, F0), surrogates (ED) and > U+10FFFF (F4).
  const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80
  const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf
  const second = bytes[i + 1]
  if (second === undefined || second < low || second > high) return 0
  for (let k = 2; k < length; k++) {
    const next = bytes[i + k]
    if (next === undefined || next < 0x80 || next > 0xbf) return 0
  }
  return length
}
