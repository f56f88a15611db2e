import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8'
}

/** Maps a URL path to a file under `root`, or null when it is malformed or tries to leave the root. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0].split('#')[0])
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\') || !decoded.startsWith('/')) return null
  // Refuse any dot-dot segment outright rather than normalising it away.
  if (decoded.split('/').some((seg) => seg === '..' || seg === '.')) return null
  const rel = decoded === '/' ? 'index.html' : decoded.slice(1)
  const base = resolve(root)
  const full = resolve(join(base, rel))
  if (full !== base && !full.startsWith(base + sep)) return null
  return full
}

/** Serves one GET/HEAD from `root`; `headers` are the security headers every answer carries. */
export async function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>
): Promise<void> {
  const send = (status: number, text: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', ...extra })
    res.end(req.method === 'HEAD' ? undefined : text)
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Method not allowed\n', { Allow: 'GET, HEAD' })
  const file = resolveStaticPath(root, req.url ?? '/')
  if (file === null) return send(400, 'Bad path\n')
  let size: number
  try {
    const st = await stat(file)
    if (!st.isFile()) return send(404, 'Not found\n')
    size = st.size
  } catch {
    // Browsers ask for a favicon on their own; an empty answer keeps their console free of errors.
    if (req.url === '/favicon.ico') {
      res.writeHead(204, headers)
      res.end()
      return
    }
    return send(404, 'Not found\n')
  }
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
  // Hashed assets may be cached; the page itself must be fetched fresh so a rebuild is picked up.
  const cache = file.endsWith('.html') ? 'no-store' : 'public, max-age=3600'
  res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': String(size), 'Cache-Control': cache })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  const stream = createReadStream(file)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}
