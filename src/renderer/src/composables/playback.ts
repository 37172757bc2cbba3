/**
 * Frame-by-frame playback at a given speed (frames per second), driven by
 * requestAnimationFrame. `onEnd` fires when playback reaches the last frame.
 */
import { onBeforeUnmount, ref, watch, type Ref } from 'vue'

export interface PlaybackOptions {
  /** Number of frames. */
  length: Ref<number>
  /** Frames per second. */
  speed: Ref<number>
  onEnd?: () => void
}

export function usePlayback(opts: PlaybackOptions) {
  const index = ref(0)
  const playing = ref(false)
  let raf = 0
  let lastTime = 0
  let acc = 0

  const lastIndex = (): number => Math.max(0, opts.length.value - 1)

  function tick(now: number): void {
    raf = 0
    if (!playing.value) return
    const dt = lastTime ? Math.min(now - lastTime, 250) : 0
    lastTime = now
    acc += (dt / 1000) * opts.speed.value
    while (acc >= 1 && playing.value) {
      acc -= 1
      if (index.value < lastIndex()) index.value++
      if (index.value >= lastIndex()) {
        playing.value = false
        acc = 0
        opts.onEnd?.()
      }
    }
    if (playing.value) raf = requestAnimationFrame(tick)
  }

  function schedule(): void {
    if (!raf) {
      lastTime = 0
      raf = requestAnimationFrame(tick)
    }
  }

  function play(): void {
    if (opts.length.value <= 1) return
    if (index.value >= lastIndex()) index.value = 0
    playing.value = true
    acc = 0
    schedule()
  }

  function pause(): void {
    playing.value = false
  }

  function toggle(): void {
    if (playing.value) pause()
    else play()
  }

  function seek(i: number): void {
    index.value = Math.min(Math.max(0, Math.round(i)), lastIndex())
  }

  function step(delta: number): void {
    pause()
    seek(index.value + delta)
  }

  watch(opts.length, () => {
    if (index.value > lastIndex()) index.value = lastIndex()
  })

  onBeforeUnmount(() => {
    playing.value = false
    if (raf) cancelAnimationFrame(raf)
  })

  return { index, playing, play, pause, toggle, seek, step }
}
