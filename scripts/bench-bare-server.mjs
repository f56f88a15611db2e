// The bench's baseline, a child process of scripts/bench.mjs: the barest echo server node:net allows.
import net from 'node:net'

const server = net.createServer((s) => {
  s.on('error', () => {})
  s.pipe(s)
})
server.listen({ host: '127.0.0.1', port: 0, backlog: 511 }, () => {
  process.send({ type: 'ready', port: server.address().port })
})
process.on('message', (m) => {
  if (m.cmd === 'stats')
    server.getConnections((_, n) => process.send({ id: m.id, ok: true, value: { connections: n } }))
  else process.send({ id: m.id, ok: true, value: {} })
})
process.on('disconnect', () => process.exit(0))
