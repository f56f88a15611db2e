import { it } from 'vitest'
import { readKernelSockets } from '../../src/main/engine/kernel/kernel-reader'
import { whoHoldsPort } from '../../src/main/engine/kernel/port-holder'
it('times', async () => {
  for (let i = 0; i < 3; i++) {
    let t = Date.now()
    const v = await readKernelSockets({ scope: 'all' })
    process.stderr.write(`all ${v.sockets.length} ${Date.now() - t}\n`)
    t = Date.now()
    const h = await whoHoldsPort(22)
    process.stderr.write(`holder ${h} ${Date.now() - t}\n`)
  }
})
