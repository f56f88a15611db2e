// A small ESLint plugin: the architecture's import boundaries. Each zone names the files it covers, what they may
// not import (packages by name, node builtins, folders of this repo after resolving `./`, `@shared/`, `@renderer/`),
// and the message saying where to go instead. One rule holds every zone, so zones that overlap never override
// each other (flat config replaces a rule's options per file).
import { builtinModules } from 'node:module'
import { dirname, relative, resolve, sep } from 'node:path'

const ALIASES = { '@shared/': 'src/shared/', '@renderer/': 'src/renderer/src/' }
const BUILTINS = new Set(builtinModules)

const posix = (p) => p.split(sep).join('/')
const under = (path, prefixes) => prefixes.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : p + '/'))

/** Where a specifier points: `{ pkg }` for a package or builtin, `{ path }` (repo-relative) for a file here. */
function target(spec, fileAbs, root) {
  for (const [alias, dir] of Object.entries(ALIASES))
    if (spec.startsWith(alias)) return { path: dir + spec.slice(alias.length) }
  if (spec.startsWith('.')) return { path: posix(relative(root, resolve(dirname(fileAbs), spec))) }
  return { pkg: spec }
}

const isBuiltin = (pkg) => pkg.startsWith('node:') || BUILTINS.has(pkg.split('/')[0])
const packageName = (pkg) => (pkg.startsWith('@') ? pkg.split('/').slice(0, 2).join('/') : pkg.split('/')[0])

/** Whether one import breaks a zone; `names` are the imported names (null when unknown: side-effect, `* as`). */
function breaks(zone, t, names, file) {
  if (t.pkg) {
    if (zone.builtins && isBuiltin(t.pkg)) return true
    if (!zone.packages?.includes(packageName(t.pkg))) return false
    if (!zone.importNames) return true
    // Named zones guard the package's API (`electron`), not its files (`electron/package.json`).
    if (t.pkg !== packageName(t.pkg)) return false
    return names === null || names.some((n) => zone.importNames.includes(n))
  }
  if (zone.paths && under(t.path, zone.paths) && !(zone.allowPaths && under(t.path, zone.allowPaths))) return true
  // `siblingsOf: dir/`: a file in dir/a/ may not import from dir/b/ (the features stay apart).
  if (zone.siblingsOf) {
    const folder = (p) => (p.startsWith(zone.siblingsOf) ? p.slice(zone.siblingsOf.length).split('/')[0] : null)
    return folder(t.path) !== null && folder(t.path) !== folder(file)
  }
  return false
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps the parts of the app apart (engine, shell, shared contract, preload, renderer).' },
    schema: [{ type: 'object', properties: { zones: { type: 'array' } }, additionalProperties: false }],
    messages: { boundary: '{{message}}' }
  },
  create(context) {
    const root = context.cwd
    const file = posix(relative(root, context.filename))
    const zones = (context.options[0]?.zones ?? []).filter(
      (z) => under(file, z.files) && !(z.except && under(file, z.except))
    )
    if (zones.length === 0) return {}
    const check = (node, spec, names) => {
      if (typeof spec !== 'string') return
      const t = target(spec, context.filename, root)
      for (const zone of zones) {
        if (breaks(zone, t, names, file))
          context.report({ node, messageId: 'boundary', data: { message: zone.message } })
      }
    }
    const namesOf = (specifiers) => {
      if (specifiers.length === 0 || specifiers.some((s) => s.type === 'ImportNamespaceSpecifier')) return null
      return specifiers.map((s) =>
        s.type === 'ImportDefaultSpecifier' ? 'default' : (s.imported?.name ?? s.local.name)
      )
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value, namesOf(node.specifiers)),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, null),
      ExportAllDeclaration: (node) => check(node, node.source.value, null),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, null),
      CallExpression: (node) => {
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          node.arguments[0]?.type === 'Literal'
        ) {
          check(node, node.arguments[0].value, null)
        }
      },
      TSImportType: (node) => {
        const lit = node.argument?.literal ?? node.argument
        if (lit?.type === 'Literal') check(node, lit.value, null)
      }
    }
  }
}

/** The plugin: `boundaries/imports`. */
export const boundaries = { rules: { imports: rule } }
