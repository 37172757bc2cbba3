/**
 * Saving and reading files from the renderer. Downloads go through an
 * <a download> on a blob: URL, which works in a browser and in Electron (where
 * it opens the system's save dialog).
 */

/** Offers `blob` as a download named `filename`. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.rel = 'noopener'
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  // Give the browser time to start reading the blob before it goes.
  setTimeout(() => URL.revokeObjectURL(url), 30_000)
}

export function downloadText(text: string, filename: string, type = 'text/plain'): void {
  downloadBlob(new Blob([text], { type: `${type};charset=utf-8` }), filename)
}

/** A name that is safe as a file name on every OS (letters, digits, . _ -). */
export function safeFileName(name: string, fallback = 'untitled'): string {
  const s = name
    .trim()
    .replace(/[^\w.-]+/g, '_')
    .replace(/^[._]+|_+$/g, '')
  return s || fallback
}
