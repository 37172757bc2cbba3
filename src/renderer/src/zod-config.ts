/**
 * Imported first by main.ts, before any schema exists: zod probes `new Function`
 * for its JIT when a schema is built, and our CSP forbids eval.
 */
import { z } from 'zod'

z.config({ jitless: true })
