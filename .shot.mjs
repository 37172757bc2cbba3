import { chromium } from 'playwright-core'
const [url, out, w, h, ...steps] = process.argv.slice(2)
const b = await chromium.launch({ executablePath: '/usr/bin/chromium' })
const p = await b.newPage({ viewport: { width: Number(w), height: Number(h) } })
p.on('console', (m) => { if (m.type() === 'error') console.log('console:', m.text()) })
await p.goto(url)
for (const s of steps) {
  const [kind, a, c] = s.split('|')
  if (kind === 'click') await p.getByTestId(a).first().click()
  else if (kind === 'fill') await p.getByTestId(a).fill(c)
  else if (kind === 'wait') await p.getByTestId(a).first().waitFor({ timeout: 60000 })
  else if (kind === 'sleep') await p.waitForTimeout(Number(a))
  else if (kind === 'goto') await p.goto(url.replace(/#.*$/, '') + a)
  else if (kind === 'key') await p.keyboard.press(a)
}
await p.screenshot({ path: out })
await b.close()
