// Must stay first: configures zod before any schema module is evaluated.
import './zod-config'
// Pixi's no-eval code paths: the app runs under a CSP without 'unsafe-eval'.
import 'pixi.js/unsafe-eval'
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import './styles.css'

createApp(App).use(createPinia()).mount('#app')
