import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus, { ElMessage } from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'
import './styles.css'

import App from './App.vue'
import { i18n } from './locales'
import { createAppRouter } from './router'
import { vPerm } from './directives/perm'
import { ApiError, NetworkError, setUnauthorizedHandler } from './api/client'
import { useAuthStore } from './stores/auth'
import { showError } from './utils/errors'

const app = createApp(App)
const pinia = createPinia()
const router = createAppRouter()

app.use(pinia)
app.use(i18n)
app.use(ElementPlus, { locale: zhCn })
app.use(router)
app.directive('perm', vPerm)

// The session expired or was revoked: forget the user and go to the login page.
setUnauthorizedHandler(() => {
  const auth = useAuthStore()
  const wasSignedIn = auth.loggedIn
  auth.clear()
  const current = router.currentRoute.value
  if (current.name !== 'login') {
    if (wasSignedIn) ElMessage.warning(i18n.global.t('auth.sessionExpired'))
    void router.push({ name: 'login', query: { redirect: current.fullPath } })
  }
})

// Errors not handled by a page (a failed load, a failed button action): show the server's detail.
app.config.errorHandler = (error) => {
  showError(error)
  console.error(error)
}
// A forgotten `await` somewhere: still tell the user when it was an API call that failed.
window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof ApiError || event.reason instanceof NetworkError) showError(event.reason)
})

app.mount('#app')
