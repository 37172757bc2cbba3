/**
 * Calls `onResize` whenever an element's box changes size, from the component's mount to its
 * unmount: the one ResizeObserver lifecycle the charts and canvases share.
 */
import { onBeforeUnmount, onMounted, type Ref } from 'vue'

export function useResizeObserver(target: Readonly<Ref<Element | null | undefined>>, onResize: (entry: ResizeObserverEntry) => void): void {
  let observer: ResizeObserver | null = null
  onMounted(() => {
    observer = new ResizeObserver((entries) => {
      const last = entries[entries.length - 1]
      if (last) onResize(last)
    })
    if (target.value) observer.observe(target.value)
  })
  onBeforeUnmount(() => observer?.disconnect())
}
