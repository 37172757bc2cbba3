/**
 * Where runs live when no --data-dir is given: the same folder Electron's
 * app.getPath('userData') gives the desktop app, so the app, the web host and
 * the CLI all see the same runs. QUARKADE_DATA_DIR overrides it.
 */
import os from 'node:os'
import path from 'node:path'

export const APP_NAME = 'Quarkade'

export function defaultDataDir(): string {
  if (process.env.QUARKADE_DATA_DIR) return path.resolve(process.env.QUARKADE_DATA_DIR)
  const home = os.homedir()
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_NAME)
    case 'win32':
      return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME)
    default:
      return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME)
  }
}
