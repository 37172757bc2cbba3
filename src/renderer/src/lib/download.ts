/**
 * Saving what the app makes (CSV, PNG, SVG, a model's zip) as a download: the
 * browser's download in web mode, Electron's save dialog in the desktop app
 * (its default for a download).
 */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.style.display = 'none'
  document.body.append(a)
  a.click()
  a.remove()
  // The download has its own reference by now; the URL is only needed for the click.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** A file name from free text ("Catch · DQN #3" → "catch-dqn-3"). */
export function fileSlug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, ' ')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
  return s.slice(0, 80).replace(/-+$/, '') || 'chart'
}
