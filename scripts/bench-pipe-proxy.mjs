// The bench's baseline proxy, a child of scripts/bench-proxy.mjs: the barest node:net pipe proxy.
import net from 'node:net'

let upstream = 0
const server = net.createServer((a) => {
  a.setNoDelay(true)
  const b = net.connect({ host: '127.0.0.1', port: upstream })
  b.setNoDelay(true)
  a.on('error', () => b.destroy())
  b.on('error', () => a.destroy())
  a.pipe(b)
  b.pipe(a)
})
process.on('message', (m) => {
  if (m.cmd === 'start') {
    upstream = m.upstream
    server.listen({ host: '127.0.0.1', port: 0 }, () =>
      process.send({ id: m.id, ok: true, value: { port: server.address().port } })
    )
  } else process.send({ id: m.id, ok: true, value: {} })
})
process.on('disconnect', () => process.exit(0))
process.send({ type: 'ready' })
