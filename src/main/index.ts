/**
 * The Electron host: owns the window, the menu, the run store and the trainer
 * processes (utility processes). The renderer reaches the services only through
 * the preload's typed bridge, over one IPC channel.
 */
import { app, BrowserWindow, Menu, dialog, ipcMain, shell, utilityProcess, type IpcMainInvokeEvent } from 'electron'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createServices, type Services } from './services'
import { FolderPolicy } from './services/folders'
import { appLocation, isAllowedExternalUrl, isAppUrl, isTrustedSender } from './security/electron'
import type { Launcher } from './services/launcher'
import type { FromTrainer } from './trainer/protocol'
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, type IpcResponse } from '../shared/transport'

const here = path.dirname(fileURLToPath(import.meta.url))
const devServerUrl = process.env.ELECTRON_RENDERER_URL
const rendererIndex = path.join(here, '../renderer/index.html')
const appUrl = appLocation(devServerUrl, pathToFileURL(rendererIndex).href)

/** Trainer jobs as Electron utility processes (out/main/trainer.js, built beside this file). */
const utilityLauncher: Launcher = {
  launch() {
    const child = utilityProcess.fork(path.join(here, 'trainer.js'), [], { serviceName: 'Quarkade trainer', stdio: 'inherit' })
    return {
      get pid() {
        return child.pid
      },
      send: (m) => child.postMessage(m),
      onMessage: (l) => child.on('message', (m: FromTrainer) => l(m)),
      // Electron reports only an exit code; a crash shows as a non-zero one.
      onExit: (l) => child.on('exit', (code) => l(code, null)),
      kill: () => void child.kill(),
    }
  },
}

let services: Services | null = null
let mainWindow: BrowserWindow | null = null

/** The main frame of our window, showing our page — not an iframe, another window or a page navigated to. */
function isOurRenderer(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame
  return isTrustedSender(
    { contentsId: event.sender.id, frame: frame ? { url: frame.url, isMainFrame: frame.parent === null } : null },
    mainWindow?.webContents.id ?? null,
    appUrl,
  )
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 640,
    title: 'Quarkade',
    backgroundColor: '#0f1117',
    show: false,
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  })
  mainWindow.once('ready-to-show', () => mainWindow?.show())
  // The renderer asks before unloading with unsaved work (e.g. track edits); Electron would
  // otherwise just keep the window open without saying why.
  mainWindow.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(mainWindow!, {
      type: 'question',
      buttons: ['Discard changes and close', 'Keep editing'],
      defaultId: 1,
      cancelId: 1,
      title: 'Unsaved changes',
      message: 'You have unsaved changes.',
      detail: 'Close anyway and lose them?',
    })
    if (choice === 0) event.preventDefault()
  })
  mainWindow.on('closed', () => (mainWindow = null))
  if (devServerUrl) void mainWindow.loadURL(devServerUrl)
  else void mainWindow.loadFile(rendererIndex)
}

/** File › Open: pick an HDF5 file; the renderer's Data view opens it. */
async function openDataFile(): Promise<void> {
  if (!mainWindow || !services) return
  const result = await dialog.showOpenDialog(mainWindow, {
    title: 'Open a data file',
    properties: ['openFile'],
    filters: [{ name: 'HDF5', extensions: ['h5', 'hdf5', 'he5'] }, { name: 'All files', extensions: ['*'] }],
  })
  const file = result.filePaths[0]
  if (!result.canceled && file) services.api.publish({ type: 'ui.openFile', path: file })
}

function buildMenu(): void {
  const isMac = process.platform === 'darwin'
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      ...(isMac ? [{ role: 'appMenu' as const }] : []),
      {
        label: 'File',
        submenu: [
          { label: 'Open Data File…', accelerator: 'CmdOrCtrl+O', click: () => void openDataFile() },
          { type: 'separator' as const },
          isMac ? { role: 'close' as const } : { role: 'quit' as const },
        ],
      },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
      {
        role: 'help',
        submenu: [
          { label: 'Open Data Folder', click: () => void shell.openPath(app.getPath('userData')) },
        ],
      },
    ]),
  )
}

// Security: no navigation away from the app, no new windows, only allow-listed links
// open in the browser, and no permissions (asked for, or merely checked).
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url, appUrl)) e.preventDefault()
  })
  contents.on('will-attach-webview', (e) => e.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  contents.session.setPermissionCheckHandler(() => false)
})

app.whenReady().then(() => {
  services = createServices({
    dataDir: app.getPath('userData'),
    launcher: utilityLauncher,
    host: 'electron',
    version: app.getVersion(),
    capabilities: {
      // Exports go to the data folder's exports/ or a folder the user picked in the save dialog.
      folders: FolderPolicy.confined({
        writeRoots: [path.join(app.getPath('userData'), 'exports')],
        readRoots: null,
        howToAllow: 'choose the folder in the Export dialog',
      }),
      async pickFile(title, extensions) {
        const options: Electron.OpenDialogOptions = {
          title,
          properties: ['openFile'],
          filters: extensions.length ? [{ name: extensions.join(', '), extensions }, { name: 'All files', extensions: ['*'] }] : [],
        }
        const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options)
        return result.canceled ? null : (result.filePaths[0] ?? null)
      },
      async pickFolder(title, purpose) {
        const options: Electron.OpenDialogOptions = {
          title,
          properties: purpose === 'save' ? ['openDirectory', 'createDirectory', 'promptToCreate'] : ['openDirectory'],
        }
        const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options)
        return result.canceled ? null : (result.filePaths[0] ?? null)
      },
    },
  })
  const api = services.api
  ipcMain.handle(IPC_REQUEST_CHANNEL, async (event, request: { method: string; input: unknown }): Promise<IpcResponse> => {
    if (!isOurRenderer(event)) return { ok: false, error: 'request from an unknown window or frame' }
    try {
      return { ok: true, result: await api.handle(request?.method, request?.input) }
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) }
    }
  })
  api.subscribe((e) => mainWindow?.webContents.send(IPC_EVENT_CHANNEL, e))
  services.sweeps.resumeInterrupted()
  buildMenu()
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

let closing = false
app.on('before-quit', (e) => {
  if (!services || closing) return
  // Stop trainers cleanly so their last episodes are stored, then quit for real.
  e.preventDefault()
  closing = true
  void services.close().finally(() => app.quit())
})
