// ESLint flat config: the recommended sets (not the strict type-aware ones), then the architecture as import rules.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import { boundaries } from './eslint/boundaries.mjs'

const FEATURES = 'src/renderer/src/features/'

/** The architecture: who may import what. Each message says where to go instead. */
const zones = [
  {
    files: ['src/main/engine'],
    packages: ['electron', 'react', 'react-dom'],
    message:
      'The engine is plain Node and never imports Electron or React: put Electron code in the shell (src/main) and UI ' +
      'in src/renderer; both reach the engine through the hub (src/main/engine/lab-hub.ts).'
  },
  {
    files: ['src/main/engine'],
    paths: ['src/main', 'src/renderer', 'src/preload'],
    allowPaths: ['src/main/engine'],
    message:
      'The engine never imports the shell, the preload or the renderer (they depend on it, not the other way): ' +
      'share data shapes through src/shared, and take what the shell provides as a parameter.'
  },
  {
    files: ['src/shared'],
    packages: ['electron', 'react', 'react-dom'],
    builtins: true,
    paths: ['src/main', 'src/renderer', 'src/preload'],
    message:
      'src/shared is the contract that both the main process and the page load: plain TypeScript and zod only, no ' +
      'Electron, React, node:* or engine code. Keep node-only logic in src/main/engine.'
  },
  {
    files: ['src/renderer'],
    packages: ['electron', 'ws'],
    builtins: true,
    message:
      'The renderer is a sandboxed web page: no node:*, Electron or ws. Reach the lab with a command from ' +
      'src/shared/contract.ts through the transport (src/renderer/src/transport).'
  },
  {
    files: ['src/renderer'],
    paths: ['src/main', 'src/preload'],
    allowPaths: ['src/preload/api'],
    message:
      'The renderer never imports the main process or the preload: run a command through the transport ' +
      '(src/renderer/src/transport); only the preload API type (src/preload/api.d.ts) is shared.'
  },
  {
    files: ['src', 'scripts'],
    except: ['src/preload'],
    packages: ['electron'],
    importNames: ['ipcRenderer'],
    message:
      'ipcRenderer is used only in src/preload (the contextBridge API): add a command to src/shared/contract.ts and ' +
      'call it through the transport instead of a raw IPC channel.'
  },
  {
    files: ['src', 'scripts'],
    except: ['src/main/ipc-adapter.ts', 'src/main/index.ts'],
    packages: ['electron'],
    importNames: ['ipcMain'],
    message:
      'ipcMain belongs to the IPC adapter (src/main/ipc-adapter.ts; index.ts only hands it over): add a command to ' +
      'src/shared/contract.ts and the hub instead of a raw IPC handler.'
  },
  {
    files: ['src/main/web'],
    packages: ['electron'],
    message:
      'Browser mode (src/main/web) runs in plain Node without Electron: put code both front doors need in ' +
      'src/main/launch or the engine.'
  },
  {
    files: ['src/main/launch'],
    packages: ['electron'],
    // Resolved import paths carry no extension.
    paths: ['src/main/web', 'src/main/index', 'src/main/window', 'src/main/ipc-adapter'],
    message:
      'src/main/launch is shared by the desktop app and browser mode: it uses the engine and src/shared, never ' +
      'Electron or either front door (they call it, not the other way round).'
  },
  {
    files: [FEATURES],
    except: [FEATURES + 'layout'],
    siblingsOf: FEATURES,
    message:
      'A feature never imports another feature: move what two features share into src/renderer/src/ui/ (shared UI ' +
      'pieces) or src/renderer/src/store/; only features/layout composes the panels.'
  },
  {
    files: ['src/renderer/src/ui', 'src/renderer/src/store', 'src/renderer/src/transport'],
    paths: [FEATURES],
    message:
      'ui/, store/ and transport/ sit below the features and never import one: pass what they need as props or ' +
      'move the shared part down into ui/ or store/.'
  }
]

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'docs/screenshots/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { boundaries },
    rules: {
      'boundaries/imports': ['error', { zones }],
      // `_name` marks a deliberately unused binding (the compiler reports the rest too).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }]
    }
  },
  {
    // The bin launcher is CommonJS so it runs without a build step.
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  {
    // Functions passed to page.evaluate run in the browser page.
    files: ['scripts/bench-web.mjs', 'scripts/bench-profile.mjs', 'scripts/screenshots.mjs', 'test/e2e/**/*.ts'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } }
  },
  {
    // The classic hook rules; the React Compiler rules of the plugin's newer preset target code written for it.
    files: ['src/renderer/**/*.{ts,tsx}', 'test/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' }
  }
)
