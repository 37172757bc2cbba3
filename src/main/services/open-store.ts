/**
 * Opens a data folder's run store as every host does: a writable store first
 * marks runs whose trainer died as failed and tidies checkpoint folders; a
 * read-only one is still listed, with a warning. Kept apart from ./index so a
 * host that only reads the store (`quarkade runs`) does not load the job,
 * model and HDF5 code.
 */
import { RunStore } from './run-store'

export function openRunStore(dataDir: string): RunStore {
  const store = new RunStore(dataDir)
  if (store.readOnlyReason) {
    console.warn(`quarkade: warning: ${store.readOnlyReason}`)
  } else {
    store.recoverOrphans()
    store.tidyCheckpointFolders()
  }
  return store
}
