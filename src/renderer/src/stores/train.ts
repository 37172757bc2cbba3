/**
 * The Train form: chosen env and algorithm, hyper-parameters as the user typed
 * them, run settings, and the run this view is following. Values are checked
 * with the same shared schemas the services use, so errors show as you type.
 */
import { defineStore } from 'pinia'
import { computed, reactive, ref, watch } from 'vue'
import { defaultParams, type AlgoDescriptor as AlgoInfo, type WorldDescriptor as EnvInfo } from '../../../core/catalog'
import { isShown, paramsSchema, parseParamText, type ParamSpec, type ParamValues } from '../../../core/params'
import { FINAL_STATUSES, trainRequestSchema, type TrainRequest } from '../../../shared/api'
import { useCatalogStore } from './catalog'
import { useNavStore } from './nav'
import { useRunsStore } from './runs'
import { useTracksStore } from './tracks'
import { useDataFileStore } from './dataFile'
import type { Projection } from '../../../core/lartpc/event'

/** What a field holds while editing: text for numbers and lists, else the value. */
export type FieldValue = string | boolean

export interface SettingsForm {
  episodes: string
  seed: string
  backend: string
  useTarget: boolean
  target: string
  checkpoint_every: string
  replay_every: string
  name: string
}

const SETTINGS_KEYS = ['episodes', 'seed', 'target', 'checkpoint_every', 'replay_every', 'name'] as const

function toField(spec: ParamSpec, v: ParamValues[string] | undefined): FieldValue {
  const value = v ?? spec.default
  if (spec.type === 'boolean') return Boolean(value)
  if (Array.isArray(value)) return value.join(', ')
  return String(value)
}

function fromField(spec: ParamSpec, v: FieldValue): unknown {
  if (typeof v === 'boolean') return v
  return parseParamText(spec, v)
}

function storageKey(env: string, algo: string): string {
  return `quarkade.train.${env}.${algo}`
}
/** The world the form showed last, and each world's last algorithm: a user comes back to what they chose. */
const LAST_ENV_KEY = 'quarkade.train.env'
const lastAlgoKey = (env: string): string => `quarkade.train.${env}.algo`

function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value)
  } catch {
    /* storage disabled: remembered for this session only */
  }
}
function recall(key: string): string | null {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}

export const useTrainStore = defineStore('train', () => {
  const catalog = useCatalogStore()
  const runs = useRunsStore()
  const tracks = useTracksStore()
  const nav = useNavStore()
  const dataFiles = useDataFileStore()

  const envId = ref('')
  const algoId = ref('')
  const params = reactive<Record<string, FieldValue>>({})
  /** The env's own settings (ENVS[env].params, e.g. Snake's step cap) → request.env_params. */
  const envParams = reactive<Record<string, FieldValue>>({})
  const settings = reactive<SettingsForm>({
    episodes: '',
    seed: '',
    backend: 'auto',
    useTarget: false,
    target: '',
    checkpoint_every: '100',
    replay_every: '10',
    name: '',
  })
  const submitting = ref(false)
  const submitError = ref<string | null>(null)
  /** The run the Train view follows (the last one started here, or the newest active one). */
  const currentRunId = ref<number | null>(null)
  /** Data-set envs (jets): the file to train on, as typed → request.data.path. */
  const dataPath = ref('')
  /** How a 3-D detector file becomes 2-D events (chosen in the Data view); null = the reader's default. */
  const dataProjection = ref<Projection | null>(null)

  const env = computed<EnvInfo | undefined>(() => catalog.world(envId.value))
  const algo = computed<AlgoInfo | undefined>(() => catalog.algos.find((a) => a.id === algoId.value))
  const algosForEnv = computed(() => catalog.algos.filter((a) => env.value?.algos.includes(a.id)))
  /** Data-set envs train generative models: epochs, no episodes, targets or replays. */
  const isDataset = computed(() => env.value?.kind === 'dataset')
  /** Hyper-parameters the form shows: those the run settings own (a VAE's epochs and seed) are set there. */
  const visibleParams = computed(() => {
    const a = algo.value
    if (!a) return []
    const owned: string[] = Object.values(a.runOwned ?? {})
    return a.params.filter((s) => !owned.includes(s.key) && isShown(s, params))
  })
  /** The world's settings that act under the others (a death penalty only with a reward that uses it); hidden ones are sent as defaults. */
  const visibleEnvParams = computed(() => (env.value?.params ?? []).filter((s) => isShown(s, envParams)))

  function resetParams(): void {
    const e = env.value
    const a = algo.value
    for (const k of Object.keys(params)) delete params[k]
    for (const k of Object.keys(envParams)) delete envParams[k]
    if (e) for (const spec of e.params) envParams[spec.key] = toField(spec, spec.default)
    if (!e || !a) return
    const d = defaultParams(e.id, a.id)
    for (const spec of a.params) params[spec.key] = toField(spec, d[spec.key])
    settings.episodes = String(e.defaultEpisodes)
    settings.target = String(e.successMetric.target)
  }

  /** Loads the form last used for this env+algo, if any, over the defaults. */
  function restoreSaved(): void {
    const a = algo.value
    if (!a) return
    try {
      const raw = localStorage.getItem(storageKey(envId.value, algoId.value))
      if (!raw) return
      const saved = JSON.parse(raw) as { params?: Record<string, FieldValue>; envParams?: Record<string, FieldValue>; settings?: Partial<SettingsForm> }
      for (const spec of a.params) {
        const v = saved.params?.[spec.key]
        if (v !== undefined && typeof v === (spec.type === 'boolean' ? 'boolean' : 'string')) params[spec.key] = v
      }
      for (const spec of env.value?.params ?? []) {
        const v = saved.envParams?.[spec.key]
        if (v !== undefined && typeof v === (spec.type === 'boolean' ? 'boolean' : 'string')) envParams[spec.key] = v
      }
      for (const [k, v] of Object.entries(saved.settings ?? {})) {
        if (k in settings && typeof v === typeof settings[k as keyof SettingsForm]) (settings as unknown as Record<string, unknown>)[k] = v
      }
    } catch {
      /* a corrupt entry is just ignored */
    }
  }

  function save(): void {
    try {
      localStorage.setItem(storageKey(envId.value, algoId.value), JSON.stringify({ params, envParams, settings, ...(env.value?.data ? { dataPath: dataPath.value.trim() } : {}) }))
    } catch {
      /* storage full or disabled */
    }
  }

  function selectEnv(id: string): void {
    // Another env than the one the Data view asked for: that request is over.
    if (nav.trainIntent && catalog.world(nav.trainIntent.env)?.family !== catalog.world(id)?.family) nav.trainIntent = null
    // One name per world (its family, as the select's options use), so its saved choices are found however it was named.
    envId.value = catalog.world(id)?.family ?? id
    const e = env.value
    if (e) {
      remember(LAST_ENV_KEY, envId.value)
      const last = recall(lastAlgoKey(envId.value))
      if (last && e.algos.includes(last)) algoId.value = last
      else if (!e.algos.includes(algoId.value)) algoId.value = e.algos[0] ?? ''
    }
    resetParams()
    restoreSaved()
    restoreDataPath()
  }

  /** The data file: the one the Data view asked to train on, else the one last used with this env. */
  function restoreDataPath(): void {
    if (!env.value?.data) return
    const intent = nav.trainIntent
    if (intent && catalog.world(intent.env)?.family === envId.value && intent.dataPath) {
      dataPath.value = intent.dataPath
      dataProjection.value = intent.projection ?? null
      return
    }
    dataProjection.value = null
    try {
      const raw = localStorage.getItem(storageKey(envId.value, algoId.value))
      const saved = raw ? (JSON.parse(raw) as { dataPath?: unknown }) : null
      dataPath.value = typeof saved?.dataPath === 'string' ? saved.dataPath : ''
    } catch {
      dataPath.value = ''
    }
  }

  // "Train a VAE on this file" (Data view): its env and file.
  watch(
    () => nav.trainIntent,
    (intent) => {
      if (!intent || !catalog.world(intent.env)) return
      if (envId.value !== catalog.world(intent.env)?.family) selectEnv(intent.env)
      else restoreDataPath()
    },
    { immediate: true },
  )

  function selectAlgo(id: string): void {
    algoId.value = id
    if (env.value) remember(lastAlgoKey(envId.value), id)
    resetParams()
    restoreSaved()
  }

  function resetToDefaults(): void {
    resetParams()
    settings.seed = ''
    settings.backend = 'auto'
    settings.useTarget = false
    settings.checkpoint_every = '100'
    settings.replay_every = '10'
    settings.name = ''
  }

  // Pick the first env once the catalog arrives.
  watch(
    () => catalog.envs,
    (envs) => {
      if (envId.value || !envs.length) return
      const known = (id: string | null | undefined): id is string => !!id && envs.some((e) => e.id === id || e.family === id)
      const wanted = nav.trainIntent?.env
      const last = recall(LAST_ENV_KEY)
      selectEnv(known(wanted) ? wanted : known(last) ? last : envs[0].id)
    },
    { immediate: true },
  )

  // Follow the newest active run if nothing else is being followed.
  watch(
    () => runs.list,
    (list) => {
      if (currentRunId.value !== null && runs.byId.has(currentRunId.value)) return
      const active = list.find((r) => !FINAL_STATUSES.includes(r.status))
      currentRunId.value = (active ?? list[0])?.id ?? null
      if (currentRunId.value !== null) void runs.watchMetrics(currentRunId.value)
    },
    { immediate: true },
  )

  /** The request the form describes, and the problems with it by field key. */
  const validation = computed(() => {
    const errors: Record<string, string> = {}
    const a = algo.value
    const p: Record<string, unknown> = {}
    if (a) {
      for (const spec of visibleParams.value) {
        const v = params[spec.key]
        if (v === undefined) continue
        p[spec.key] = fromField(spec, v)
      }
      const parsed = paramsSchema(a.params).safeParse(p)
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const key = String(issue.path[0] ?? '')
          if (key && !errors[key]) errors[key] = issue.message
        }
      }
    }
    const ep: Record<string, unknown> = {}
    const e = env.value
    if (e) {
      for (const spec of visibleEnvParams.value) {
        const v = envParams[spec.key]
        if (v === undefined) continue
        ep[spec.key] = fromField(spec, v)
      }
      const parsed = paramsSchema(e.params).safeParse(ep)
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const key = `env_params.${String(issue.path[0] ?? '')}`
          if (!errors[key]) errors[key] = issue.message
        }
      }
    }
    const num = (key: (typeof SETTINGS_KEYS)[number], text: string): number | undefined => {
      if (text.trim() === '') return undefined
      const v = Number(text)
      if (Number.isNaN(v)) {
        errors[key] = `${key} must be a number`
        return undefined
      }
      return v
    }
    const request: Record<string, unknown> = {
      env: envId.value,
      algo: algoId.value,
      params: p,
      backend: settings.backend,
    }
    if (e?.params.length) request.env_params = ep
    if (e?.track) request.track = tracks.trainTrack
    if (e?.data) {
      const path = dataPath.value.trim()
      const check = dataFiles.check
      const known = check?.path === path && check.schema === e.data.schema ? check : null
      // The file's own channel names (renamed in the Data view), so results name them too; a 3-D detector file's projection.
      request.data = {
        path,
        ...(known?.state === 'ok' && known.channels?.length ? { channels: known.channels } : {}),
        ...(known?.state === 'ok' && known.projection ? { projection: known.projection } : {}),
      }
      if (known && (known.state === 'bad' || known.state === 'error')) errors.data = known.problem ?? `${path} cannot be trained on`
    }
    const dataset = isDataset.value
    const episodes = num('episodes', settings.episodes)
    if (episodes !== undefined) request.episodes = episodes
    const seed = num('seed', settings.seed)
    if (seed !== undefined) request.seed = seed
    // A VAE checkpoints every epoch and records no replays.
    const ce = dataset ? undefined : num('checkpoint_every', settings.checkpoint_every)
    if (ce !== undefined) request.checkpoint_every = ce
    const re = dataset ? undefined : num('replay_every', settings.replay_every)
    if (re !== undefined) request.replay_every = re
    if (settings.name.trim()) request.name = settings.name.trim()
    if (settings.useTarget && env.value && !dataset) {
      const t = num('target', settings.target)
      if (t === undefined && !errors.target) errors.target = 'target needs a value'
      else if (t !== undefined) {
        if (t < 0 || t > 1) errors.target = `target ${env.value.successMetric.key} must be between 0 and 1`
        request.target = { metric: env.value.successMetric.key, value: t }
      }
    }
    const parsed = trainRequestSchema.safeParse(request)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key =
          issue.path[0] === 'params'
            ? String(issue.path[1])
            : issue.path[0] === 'env_params'
              ? `env_params.${String(issue.path[1])}`
              : String(issue.path[0] ?? 'form')
        if (!errors[key]) errors[key] = issue.message
      }
    }
    return { request: request as TrainRequest, errors }
  })

  const errorList = computed(() => Object.values(validation.value.errors))
  // Once the settings are fixed, the "Cannot train: …" they caused is stale.
  watch(errorList, (list) => {
    if (!list.length && submitError.value?.startsWith('Cannot train:')) submitError.value = null
  })
  const canSubmit = computed(() => !!env.value && !!algo.value && !submitting.value)

  async function submit(): Promise<boolean> {
    submitError.value = null
    if (!canSubmit.value) return false
    if (errorList.value.length) {
      submitError.value =
        errorList.value.length === 1 ? `Cannot train: ${errorList.value[0]}` : `Cannot train: ${errorList.value.length} settings need fixing — ${errorList.value[0]}; …`
      return false
    }
    submitting.value = true
    try {
      const run = await runs.start(validation.value.request)
      currentRunId.value = run.id
      save()
      return true
    } catch (err) {
      submitError.value = (err as Error).message
      return false
    } finally {
      submitting.value = false
    }
  }

  return {
    envId,
    algoId,
    params,
    envParams,
    settings,
    env,
    algo,
    algosForEnv,
    isDataset,
    visibleParams,
    visibleEnvParams,
    dataPath,
    dataProjection,
    submitting,
    submitError,
    currentRunId,
    validation,
    errorList,
    canSubmit,
    selectEnv,
    selectAlgo,
    resetToDefaults,
    submit,
    follow: (id: number) => {
      currentRunId.value = id
      void runs.watchMetrics(id)
    },
  }
})
