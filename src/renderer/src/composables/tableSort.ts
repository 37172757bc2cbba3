/**
 * Sortable table columns: click a header to sort by it (ascending), click again
 * for descending, a third time for the table's own order. Values are numbers
 * or text; missing values (null, NaN) sort last either way.
 */
import { computed, reactive, type ComputedRef } from 'vue'

export type SortValue = number | string | null | undefined
export type SortDir = 'ascending' | 'descending'

export interface TableSort<K extends string> {
  key: K | null
  dir: SortDir
  toggle(key: K): void
  /** aria-sort for a header: 'ascending', 'descending' or 'none'. */
  aria(key: K): SortDir | 'none'
}

const missing = (v: SortValue): boolean => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))

export function compareValues(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' })
}

/** Sorts `rows()` by the chosen column, using `value(row, key)`; the original order breaks ties. */
export function useTableSort<R, K extends string>(rows: () => readonly R[], value: (row: R, key: K) => SortValue): { sort: TableSort<K>; sorted: ComputedRef<R[]> } {
  const sort: TableSort<K> = reactive({
    key: null,
    dir: 'ascending',
    toggle(key: K) {
      if (sort.key !== key) {
        sort.key = key
        sort.dir = 'ascending'
      } else if (sort.dir === 'ascending') sort.dir = 'descending'
      else sort.key = null
    },
    aria(key: K) {
      return sort.key === key ? sort.dir : 'none'
    },
  }) as TableSort<K>
  const sorted = computed(() => {
    const list = [...rows()]
    const key = sort.key
    if (key === null) return list
    const sign = sort.dir === 'ascending' ? 1 : -1
    return list
      .map((row, i) => ({ row, i, v: value(row, key) }))
      .sort((a, b) => {
        const ma = missing(a.v)
        const mb = missing(b.v)
        if (ma || mb) return ma === mb ? a.i - b.i : ma ? 1 : -1
        return sign * compareValues(a.v, b.v) || a.i - b.i
      })
      .map((x) => x.row)
  })
  return { sort, sorted }
}

/** Whether any of a row's texts contains every word of the query (case-insensitive). */
export function matchesFilter(query: string, texts: readonly (string | number | null | undefined)[]): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  if (!words.length) return true
  const hay = texts
    .filter((t) => t !== null && t !== undefined)
    .join(' ')
    .toLowerCase()
  return words.every((w) => hay.includes(w))
}
