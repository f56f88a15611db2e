import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import './styles.css'
import { App } from './App'
import { createLabStore } from './store/lab-store'
import { createTransport } from './transport'

const store = createLabStore(createTransport())
store.start()

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <App store={store} />
  </StrictMode>
)
