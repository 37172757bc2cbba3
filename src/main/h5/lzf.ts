/**
 * LZF (Marc Lehmann's liblzf format, as used by h5py's LZF filter, HDF5 filter id 32000) and the
 * HDF5 byte-shuffle filter, in plain TypeScript, for the writer.
 *
 * LZF stream: a control byte c;
 *   c < 32         → c + 1 literal bytes follow;
 *   c >= 32        → back-reference: length L = c >> 5 (if 7, add the next byte), plus 2; distance
 *                    ((c & 31) << 8) + next byte + 1 back in the output.
 * h5py's filter stores each chunk as one such stream; a chunk that does not shrink is stored raw
 * (HDF5 then marks the filter as skipped for that chunk).
 */

const HLOG = 14
const HSIZE = 1 << HLOG
const MAX_LIT = 32
const MAX_OFF = 1 << 13
const MAX_REF = (1 << 8) + (1 << 3) // 264
const table = new Int32Array(HSIZE)

/** Compresses `input`; returns null when the result would not be smaller than the input. */
export function lzfCompress(input: Uint8Array): Uint8Array | null {
  const n = input.length
  if (n < 4) return null
  const cap = n - 1
  const out = new Uint8Array(cap + 8)
  table.fill(-1)
  let op = 1 // out[0] is the control byte of the first literal run
  let lit = 0
  let ip = 0
  const hashAt = (i: number): number => (Math.imul((input[i] << 16) | (input[i + 1] << 8) | input[i + 2], 0x9e3779b1) >>> (32 - HLOG)) & (HSIZE - 1)
  while (ip < n - 2) {
    const h = hashAt(ip)
    const ref = table[h]
    table[h] = ip
    const off = ip - ref - 1
    if (ref >= 0 && off < MAX_OFF && input[ref] === input[ip] && input[ref + 1] === input[ip + 1] && input[ref + 2] === input[ip + 2]) {
      const maxLen = Math.min(MAX_REF, n - ip)
      let len = 3
      while (len < maxLen && input[ref + len] === input[ip + len]) len++
      if (op + 4 > cap) return null
      // Close the literal run (or take back its unused control byte).
      if (lit) out[op - lit - 1] = lit - 1
      else op--
      const l = len - 2
      if (l < 7) out[op++] = (l << 5) | (off >> 8)
      else {
        out[op++] = (7 << 5) | (off >> 8)
        out[op++] = l - 7
      }
      out[op++] = off & 0xff
      lit = 0
      out[op++] = 0
      // Index a couple of the positions we skipped, which helps long runs of equal bytes.
      const end = ip + len
      ip++
      if (ip < n - 2) table[hashAt(ip)] = ip
      ip = end
      if (ip - 1 < n - 2 && ip - 1 > 0) table[hashAt(ip - 1)] = ip - 1
    } else {
      if (op >= cap) return null
      out[op++] = input[ip++]
      if (++lit === MAX_LIT) {
        out[op - lit - 1] = MAX_LIT - 1
        lit = 0
        out[op++] = 0
      }
    }
  }
  while (ip < n) {
    if (op >= cap) return null
    out[op++] = input[ip++]
    if (++lit === MAX_LIT) {
      out[op - lit - 1] = MAX_LIT - 1
      lit = 0
      out[op++] = 0
    }
  }
  if (lit) out[op - lit - 1] = lit - 1
  else op--
  return op < n ? out.slice(0, op) : null
}

/** Decompresses one LZF stream into exactly `outLength` bytes. */
export function lzfDecompress(input: Uint8Array, outLength: number): Uint8Array {
  const out = new Uint8Array(outLength)
  let ip = 0
  let op = 0
  while (ip < input.length) {
    const ctrl = input[ip++]
    if (ctrl < 32) {
      const len = ctrl + 1
      if (op + len > outLength || ip + len > input.length) throw new RangeError('corrupt LZF data: literal run overflows')
      out.set(input.subarray(ip, ip + len), op)
      ip += len
      op += len
    } else {
      let len = ctrl >> 5
      if (len === 7) len += input[ip++]
      len += 2
      const ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1
      if (ref < 0 || op + len > outLength) throw new RangeError('corrupt LZF data: back-reference out of range')
      for (let k = 0; k < len; k++) out[op + k] = out[ref + k]
      op += len
    }
  }
  if (op !== outLength) throw new RangeError(`corrupt LZF data: got ${op} bytes, expected ${outLength}`)
  return out
}

/** HDF5's shuffle filter: byte k of every element goes to the k-th plane. */
export function shuffleBytes(input: Uint8Array, elementSize: number): Uint8Array {
  if (elementSize <= 1) return input
  const n = Math.floor(input.length / elementSize)
  const out = new Uint8Array(input.length)
  for (let k = 0; k < elementSize; k++) {
    const plane = k * n
    for (let i = 0, src = k; i < n; i++, src += elementSize) out[plane + i] = input[src]
  }
  out.set(input.subarray(n * elementSize), n * elementSize)
  return out
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Inverse of shuffleBytes. */
export function unshuffleBytes(input: Uint8Array, elementSize: number): Uint8Array {
  if (elementSize <= 1) return input
  const n = Math.floor(input.length / elementSize)
  const out = new Uint8Array(input.length)
  if (elementSize === 4 && LITTLE_ENDIAN) {
    // One 32-bit store per element instead of four byte stores (the hot path for float32 chunks).
    const out32 = new Uint32Array(out.buffer, 0, n)
    const p0 = input.subarray(0, n)
    const p1 = input.subarray(n, 2 * n)
    const p2 = input.subarray(2 * n, 3 * n)
    const p3 = input.subarray(3 * n, 4 * n)
    for (let i = 0; i < n; i++) out32[i] = p0[i] | (p1[i] << 8) | (p2[i] << 16) | (p3[i] << 24)
    out.set(input.subarray(n * 4), n * 4)
    return out
  }
  for (let k = 0; k < elementSize; k++) {
    const plane = k * n
    for (let i = 0, dst = k; i < n; i++, dst += elementSize) out[dst] = input[plane + i]
  }
  out.set(input.subarray(n * elementSize), n * elementSize)
  return out
}
